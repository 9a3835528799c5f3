"""The scenario's figures a trace lists, and reading one safely to show it as an image.

A trace is untrusted data: only the files its ``figures`` list names are opened, only regular
files (never a device or a FIFO: it is opened without blocking and checked before anything is
read), only PNGs (by their signature), and only up to a size. A figure that cannot be shown
gets one sentence saying why, never a traceback. Plain Python: no Textual, no imaging library.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from tapetui.trace import Trace

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAX_BYTES = 32 << 20
"""The largest figure file read (a matplotlib PNG is some hundred kilobytes)."""
_NOCTTY = getattr(os, "O_NOCTTY", 0)
"""A terminal device opened must not become the controlling terminal (it is refused anyway)."""


@dataclass(frozen=True)
class Figure:
    """One figure file the scenario's matplotlib wrote, as the trace lists it."""

    path: str
    line: int | None
    how: str
    """``show`` (saved by tapetui at ``plt.show()``) or ``savefig`` (the scenario's own file)."""

    @property
    def caption(self) -> str:
        """``figure shown at line 9: /tmp/…/figure-1.png`` (the path as the trace has it)."""
        where = f" at line {self.line}" if self.line is not None else ""
        done = "shown" if self.how == "show" else "saved by savefig"
        return f"figure {done}{where}: {self.path}"


def listed_figures(trace: Trace) -> list[Figure]:
    """The figures in the trace's meta, in the order they were written (entries that are not a
    path with a line are left out: the trace may be damaged)."""
    listed = trace.meta.get("figures")
    if not isinstance(listed, list):
        return []
    figures = []
    for entry in listed:
        if not isinstance(entry, dict) or not isinstance(entry.get("path"), str):
            continue
        line = entry.get("line")
        how = entry.get("how")
        figures.append(
            Figure(
                entry["path"],
                line if isinstance(line, int) and not isinstance(line, bool) else None,
                how if isinstance(how, str) else "show",
            )
        )
    return figures


class FigureUnreadable(Exception):
    """The figure cannot be shown; the message is the sentence that says why."""


def read_png(path: str) -> bytes:
    """The bytes of the PNG at ``path``, or :class:`FigureUnreadable` with one sentence.

    A device is never opened (opening one can act: a watchdog starts, a tape rewinds): the path
    is looked at first, and what was opened (without blocking, should a FIFO be swapped in) is
    checked again before it is read.
    """
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            raise FigureUnreadable("The figure cannot be shown: it is not a regular file.")
        fd = os.open(Path(path), os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | _NOCTTY)
    except FileNotFoundError:
        raise FigureUnreadable(
            "The figure cannot be shown: the file is not there any more."
        ) from None
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the path
        raise FigureUnreadable(f"The figure cannot be shown: {_reason(exc)}.") from None
    with os.fdopen(fd, "rb") as file:
        opened = os.fstat(fd)
        if not stat.S_ISREG(opened.st_mode):
            raise FigureUnreadable("The figure cannot be shown: it is not a regular file.")
        if opened.st_size > MAX_BYTES:
            raise FigureUnreadable("The figure cannot be shown: the file is too large.")
        try:
            data = file.read(MAX_BYTES + 1)
        except OSError as exc:
            raise FigureUnreadable(f"The figure cannot be shown: {_reason(exc)}.") from None
    if not data.startswith(PNG_SIGNATURE):
        raise FigureUnreadable("The figure cannot be shown: the file is not a PNG image.")
    return data


def _reason(exc: OSError | ValueError) -> str:
    strerror = exc.strerror if isinstance(exc, OSError) else None
    return (strerror or "the path is not a file name").lower()
