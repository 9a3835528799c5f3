"""A notebook's cell map: which line of the recorded source is which cell's line.

A notebook is recorded as one Python source: each code cell under a header line (``# In [3]:``),
in order. Its file lines are what TensorFlow and the recorder see; the user knows a line as
``cell 3, line 2``. :func:`line_words` turns a file line into those words everywhere tapetui
names a line (the report, the why-None sentences, the debugger), and :func:`cell_line` gives
the pair for JSON. Cell ``N`` is the notebook's ``N``-th code cell, the ``In [N]`` a fresh
"run all" numbers it.

Imports nothing of tapetui: the trace model holds a :class:`CellMap` (``Trace.notebook``).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class Cell:
    """One code cell of the notebook, as placed in the recorded source."""

    number: int
    """1-based among the notebook's code cells."""
    start: int
    """The file line of its header (``# In [3]:``); its line 1 is the file line after it."""
    lines: int
    """How many lines the cell has."""


@dataclass(slots=True)
class Skipped:
    """A line the recorder did not run: an IPython magic, a shell line, a cell magic."""

    cell: int
    line: int
    text: str
    kind: str
    """``magic`` (``%time``), ``shell`` (``!pip``) or ``cell magic`` (``%%time``, whole cell)."""


@dataclass(slots=True)
class CellMap:
    """The notebook recorded as ``file`` (the trace's name for it)."""

    file: str
    cells: list[Cell] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    def locate(self, line: int) -> tuple[int, int] | None:
        """``(cell, line in the cell)`` of a file line; line 0 for a cell's header; ``None``
        outside every cell."""
        starts = [cell.start for cell in self.cells]
        index = bisect.bisect_right(starts, line) - 1
        if index < 0:
            return None
        cell = self.cells[index]
        inside = line - cell.start
        return (cell.number, inside) if inside <= cell.lines else None

    def file_line(self, cell: int, line: int) -> int | None:
        """The file line of ``line`` of code cell ``cell``, if the notebook has it."""
        for each in self.cells:
            if each.number == cell and 0 <= line <= each.lines:
                return each.start + line
        return None


def cell_line(
    notebook: CellMap | None, file: str | None, line: int | None
) -> tuple[int, int] | None:
    """``(cell, line)`` for a line of the notebook's file, else ``None``."""
    if notebook is None or line is None or (file is not None and file != notebook.file):
        return None
    return notebook.locate(line)


def line_words(notebook: CellMap | None, file: str | None, line: int | None) -> str:
    """A line as the user knows it: ``cell 3, line 2`` in a notebook, else ``line 14``
    (``file`` ``None``: the scenario's own file)."""
    if line is None:
        return "an unknown line"
    where = cell_line(notebook, file, line)
    if where is None:
        return f"line {line}"
    cell, inside = where
    return f"cell {cell}" if inside == 0 else f"cell {cell}, line {inside}"


def on_line_words(notebook: CellMap | None, file: str | None, line: int | None) -> str:
    """``on line 14``, or ``in cell 3, line 2`` in a notebook."""
    words = line_words(notebook, file, line)
    return f"in {words}" if words.startswith("cell") else f"on {words}"


def short_words(notebook: CellMap | None, file: str | None, line: int | None) -> str:
    """The compact form for narrow panes: ``c3 l.2`` in a notebook, else ``l.14``."""
    if line is None:
        return ""
    where = cell_line(notebook, file, line)
    if where is None:
        return f"l.{line}"
    return f"c{where[0]} l.{where[1]}"


def skipped_note(item: Skipped) -> str:
    """One sentence for a skipped line, naming its cell and line."""
    if item.kind == "cell magic":
        return (
            f"cell {item.cell}: skipped the whole cell, whose cell magic `{item.text}` is "
            "IPython's, not Python (never run)"
        )
    what = "shell command" if item.kind == "shell" else "IPython magic"
    return f"cell {item.cell}, line {item.line}: skipped the {what} `{item.text}` (never run)"


def cell_map_to_dict(notebook: CellMap) -> dict[str, Any]:
    return {
        "file": notebook.file,
        "cells": [[c.number, c.start, c.lines] for c in notebook.cells],
        "skipped": [
            {"cell": s.cell, "line": s.line, "text": s.text, "kind": s.kind}
            for s in notebook.skipped
        ],
    }


def _whole(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"a cell map holds {value!r:.40} where a whole number belongs")
    return value


def cell_map_from_dict(data: Any) -> CellMap | None:
    """The cell map of a trace file (``None`` when there is none); raises ValueError when it
    is damaged."""
    if data is None:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("file"), str):
        raise ValueError("'notebook' should be an object naming its file")
    cells = [Cell(*(_whole(v) for v in row)) for row in _rows(data.get("cells"), 3)]
    skipped = []
    for item in data.get("skipped") or []:
        if not isinstance(item, dict):
            raise ValueError("a skipped notebook line should be an object")
        skipped.append(
            Skipped(
                _whole(item.get("cell")),
                _whole(item.get("line")),
                str(item.get("text", "")),
                str(item.get("kind", "magic")),
            )
        )
    return CellMap(data["file"], sorted(cells, key=lambda c: c.start), skipped)


def _rows(value: Any, width: int) -> list[list[Any]]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(
        isinstance(row, list) and len(row) == width for row in value
    ):
        raise ValueError(f"'notebook' cells should be rows of {width} numbers")
    return value
