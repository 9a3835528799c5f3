"""A Python file run as ``__main__``, as ``python FILE`` runs it, with its code one frame above
the recorder's.

``runpy.run_path`` puts three frames of its own (and the runner's ``lambda``) between the
scenario's module and the runner. That is not free: TensorFlow keeps a stack trace of every
eager op it runs (up to 30 Python frames, walked in C), so every frame under the scenario's
code makes each of its ops slower — a few per cent of a small op for those four frames. The
runner executes the scenario's code in its own frame instead (``exec`` is not a Python frame),
inside ``as_main()``, which sets up what ``run_path`` does: a fresh ``__main__`` module in
``sys.modules`` for the run (pickle and ``multiprocessing`` look classes up there), put back
after it, and the module's globals as ``python`` gives them.
"""

from __future__ import annotations

import io
import os
import pkgutil
import sys
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.machinery import SourceFileLoader, SourcelessFileLoader
from types import CodeType, ModuleType
from typing import Any

_MISSING = object()


def runs_as_file(path: str) -> bool:
    """True for a file ``python`` runs as code (``run_path`` runs a folder or a zip file
    through its ``__main__.py`` instead)."""
    return os.path.isfile(path) and not zipfile.is_zipfile(path)


def compiled(path: str) -> CodeType:
    """The file's code, as ``runpy`` makes it: a compiled ``.pyc`` as it is, else the source
    compiled as the file's own (none of the runner's ``__future__`` flags)."""
    decoded = os.path.abspath(os.fsdecode(path))
    with io.open_code(decoded) as f:
        code = pkgutil.read_code(f)
    if code is None:
        with io.open_code(decoded) as f:
            code = compile(f.read(), path, "exec", dont_inherit=True)
    return code  # type: ignore[no-any-return]  # typeshed: read_code returns Any


@contextmanager
def as_main(path: str) -> Iterator[dict[str, Any]]:
    """The globals to ``exec`` the file's code in, as a fresh ``__main__`` module's for the
    duration of the block (``sys.modules["__main__"]`` is put back after it)."""
    module = ModuleType("__main__")
    saved = sys.modules.get("__main__", _MISSING)
    sys.modules["__main__"] = module
    scope = module.__dict__
    scope.update(  # what ``python FILE`` gives its ``__main__`` (not ``run_path``'s loader)
        __name__="__main__",
        __annotations__={},
        __file__=path,
        __cached__=None,
        __doc__=None,
        __loader__=(SourcelessFileLoader if path.endswith(".pyc") else SourceFileLoader)(
            "__main__", path
        ),
        __package__=None,
        __spec__=None,
    )
    try:
        yield scope
    finally:
        if saved is _MISSING:
            sys.modules.pop("__main__", None)
        else:
            sys.modules["__main__"] = saved  # type: ignore[assignment]
