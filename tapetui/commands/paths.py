"""Checks on the paths a command is given, made before any child process starts."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from tapetui.commands.options import UsageError, shown


def _problem(path: Path) -> str | None:
    """Why ``path`` cannot be looked at (an overlong name, a file where a folder should be)."""
    try:
        path.exists()
    except OSError as exc:
        return exc.strerror.lower() if exc.strerror else str(exc)
    except ValueError:  # only from a program's own call: a shell cannot pass NUL
        return "it holds a NUL character"
    return None


def check_paths(paths: Sequence[str]) -> None:
    """Each path can at least be looked at; the rest is checked where it is opened."""
    for path in paths:
        problem = _problem(Path(path))
        if problem is not None:
            raise UsageError(f"cannot open {shown(path)}: {problem}")


def check_writable(path: str, option: str, example: str, inputs: Sequence[str | None] = ()) -> Path:
    """``path`` is a file that can be written, checked by opening it (nothing is truncated), and
    none of ``inputs`` (``-o scenario.py`` would write the trace over the scenario)."""
    out = Path(path)
    for given in filter(None, inputs):
        if _same_file(out, Path(given)):
            raise UsageError(
                f"{option} {shown(out)} is the file being read; give another name such as {example}"
            )
    problem = _problem(out)
    if problem is None and out.is_dir():
        raise UsageError(f"{shown(out)} is a folder; give {option} a file name such as {example}")
    if problem is None and not out.parent.is_dir():
        parent = shown(out.parent)
        why = f"the folder {parent} does not exist"
        if out.parent.exists():
            why = f"{parent} is not a folder"
        raise UsageError(f"cannot write {shown(out)}: {why}")
    if problem is None:
        problem = _try_open(out)
    if problem is not None:
        raise UsageError(f"cannot write {shown(out)}: {problem}")
    return out


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except (OSError, ValueError):
        return False


def _try_open(out: Path) -> str | None:
    """Why ``out`` cannot be opened for writing, or ``None`` (a file it made is removed again;
    non-blocking, so a pipe with no reader is refused instead of waited on)."""
    existed = out.exists()
    try:
        os.close(os.open(out, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NONBLOCK, 0o666))
    except OSError as exc:
        return (exc.strerror or str(exc)).lower()
    if not existed:
        out.unlink()
    return None
