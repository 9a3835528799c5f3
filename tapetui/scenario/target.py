"""What to run, as ``python`` would: ``SCRIPT -- ARGS`` and ``-m MODULE -- ARGS``.

Everything after the first ``--`` is the scenario's ``sys.argv[1:]``. A module is found the way
``python -m`` finds it (the current folder first, then Python's path), without importing it or
its packages: finding it must run none of the user's code (only the recording child does).
"""

from __future__ import annotations

import argparse
import importlib.machinery
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tapetui.trace.jsonio import is_trace_path


class TargetError(ValueError):
    """Bad arguments for what to run; the message is one sentence."""


@dataclass(frozen=True)
class Target:
    """The scenario to record and how it runs."""

    path: str
    """The file that runs, as the user named it (a module's file relative to here if it is)."""
    argv: tuple[str, ...] = field(default=())
    """The scenario's ``sys.argv[1:]``."""
    module: str | None = None
    """Run as ``python -m module`` (``path`` is its file)."""


def add_module_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-m",
        dest="module",
        metavar="MODULE",
        default=None,
        help="run a module as python -m does (the current folder on sys.path)",
    )


def split_scenario_args(argv: Sequence[str]) -> tuple[list[str], list[str] | None]:
    """tapetui's own arguments, and the scenario's: those after the first ``--`` (``None``
    when there is no ``--``)."""
    args = list(argv)
    if "--" not in args:
        return args, None
    at = args.index("--")
    return args[:at], args[at + 1 :]


def _spec(name: str, path: list[str] | None) -> importlib.machinery.ModuleSpec | None:
    try:
        return importlib.machinery.PathFinder.find_spec(name, path)
    except (ImportError, ValueError, OSError):
        return None


def module_file(name: str) -> str:
    """The file ``python -m name`` runs: the module's, or its package's ``__main__.py``;
    TargetError naming it when there is none. Imports nothing."""
    parts = name.split(".")
    if not name or not all(part.isidentifier() for part in parts):
        raise TargetError(f"-m {name!r:.80} is not a module name (such as pkg.train)")
    search: list[str] | None = [os.getcwd(), *(p for p in sys.path if p)]
    spec = None
    for depth in range(len(parts)):
        spec = _spec(".".join(parts[: depth + 1]), search)
        if spec is None:
            raise TargetError(
                f"no module named {'.'.join(parts[: depth + 1])} (looked in the current folder "
                "and on Python's path, as python -m does)"
            )
        locations = spec.submodule_search_locations
        search = list(locations) if locations is not None else None
        if search is None and depth < len(parts) - 1:
            raise TargetError(f"{'.'.join(parts[: depth + 1])} is a module, not a package")
    assert spec is not None
    if spec.submodule_search_locations is not None:  # a package: its __main__ runs
        main = _spec(f"{name}.__main__", list(spec.submodule_search_locations))
        if main is None or not main.origin:
            raise TargetError(
                f"{name} is a package with no __main__.py, so python -m cannot run it"
            )
        spec = main
    if not spec.origin or not spec.origin.endswith(".py") or not os.path.isfile(spec.origin):
        raise TargetError(f"{name} is not a Python source file, so tapetui cannot record it")
    return _as_named(spec.origin)


def _as_named(path: str) -> str:
    """``path`` relative to the current folder when it is inside it, else absolute."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return os.path.abspath(path)


def resolve(
    paths: Sequence[str], module: str | None, argv: list[str] | None
) -> tuple[list[str], tuple[str, ...]]:
    """The paths to open (a module's file for ``-m``) and the scenario's arguments; TargetError
    for a ``--`` or ``-m`` that cannot apply."""
    if module is not None and paths:
        raise TargetError("give either -m MODULE or a scenario path, not both")
    if module is not None:
        return [module_file(module)], tuple(argv or ())
    if argv is not None and not paths:
        raise TargetError("the arguments after -- are for a scenario: name one before --")
    if argv and any(map(is_trace_path, paths)):
        raise TargetError("a trace is never run, so it takes no arguments after --")
    return list(paths), tuple(argv or ())
