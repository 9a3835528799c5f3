"""A notebook's traceback in its own words: each frame of a cell as ``cell 3, line 2``."""

from __future__ import annotations

import traceback

from tapetui.trace.cells import CellMap, line_words


def _frame(cells: CellMap, frame: traceback.FrameSummary) -> str:
    where = f"line {frame.lineno}"
    if frame.filename == cells.file:
        where = line_words(cells, cells.file, frame.lineno)
    text = f'  File "{frame.filename}", {where}, in {frame.name}\n'
    if frame.line:
        text += f"    {frame.line.strip()}\n"
    return text


def cell_traceback(cells: CellMap, frames: list[traceback.FrameSummary], exc: BaseException) -> str:
    """The traceback of ``exc`` through ``frames`` (named as the trace names files), a cell's
    lines as the notebook numbers them; a syntax error names its cell and line too."""
    text = "Traceback (most recent call last):\n" + "".join(_frame(cells, f) for f in frames)
    if isinstance(exc, SyntaxError) and exc.lineno is not None:
        where = line_words(cells, cells.file, exc.lineno)
        shown = (exc.text or "").rstrip("\n")
        text += f'  File "{cells.file}", {where}\n' + (f"    {shown.strip()}\n" if shown else "")
        return text + f"{type(exc).__name__}: {exc.msg}\n"
    return text + "".join(traceback.format_exception_only(type(exc), exc))
