"""A Jupyter notebook as a scenario: its code cells, in order, as one Python source.

Read with ``nbformat`` (format 4). Each code cell is placed under a header line ``# In [N]:``
(``N``: its number among the code cells, the ``In [N]`` of a fresh "run all"), so the recorded
source is plain Python and every frame of a cell names a file line that the cell map
(``tapetui.trace.cells``) turns back into ``cell N, line M``. IPython's own syntax is not Python
and is never run: a line magic (``%time``), a shell line (``!pip install``, ``x = !ls``) becomes
``pass`` and a cell magic (``%%time``) skips its whole cell, each with a note. The cells run one
by one in one namespace (``__main__``, as a kernel's); the first cell that raises, a syntax
error included, ends the run there, as "run all" does.
"""

from __future__ import annotations

import io
import json
import linecache
import re
import sys
import tokenize
import types
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tapetui.trace.cells import Cell, CellMap, Skipped

SUFFIX = ".ipynb"

_MAGIC = re.compile(r"^\s*(%|!)")
_ASSIGNED = re.compile(r"^\s*[A-Za-z_][\w.]*(\s*,\s*[A-Za-z_][\w.]*)*\s*=\s*(%|!)")
_CELL_MAGIC = re.compile(r"^\s*%%")


class NotebookError(ValueError):
    """The file is not a notebook tapetui can run; the message is one sentence naming it."""


@dataclass(frozen=True)
class CodeCell:
    number: int
    start: int
    """The file line of its header; its first line is the next one."""
    source: str
    """As the notebook holds it."""
    code: str
    """What runs: skipped lines as ``pass``."""
    runs: bool
    """False for a cell magic's cell."""


@dataclass(frozen=True)
class Notebook:
    path: str
    cells: list[CodeCell]
    skipped: list[Skipped]
    text: str
    """The recorded source: every code cell under its header, as the notebook holds it."""

    def cell_map(self, file: str) -> CellMap:
        cells = [Cell(c.number, c.start, len(c.source.splitlines())) for c in self.cells]
        return CellMap(file, cells, list(self.skipped))


def is_notebook(path: str | Path) -> bool:
    return str(path).lower().endswith(SUFFIX)


def read_notebook(path: str | Path) -> Notebook:
    """The code cells of the notebook at ``path``; NotebookError with one sentence when it is
    not a notebook (not JSON, not format 4, no code cell)."""
    data = _json(path)
    if not isinstance(data, dict) or "nbformat" not in data:
        raise NotebookError(f"{path} is not a Jupyter notebook (it is JSON with no nbformat)")
    major = data["nbformat"]
    if major != 4:
        raise NotebookError(
            f"{path} is a notebook in format {major!r:.20}, and tapetui reads format 4 "
            "(open and save it in a current Jupyter to convert it)"
        )
    sources = _code_sources(path, data)
    if not sources:
        raise NotebookError(f"{path} has no code cell to run")
    return _assemble(str(path), sources)


def _json(path: str | Path) -> Any:
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise NotebookError(
            f"{path} cannot be read: {(exc.strerror or str(exc)).lower()}"
        ) from None
    try:
        return json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise NotebookError(f"{path} is not a Jupyter notebook (it is not UTF-8 text)") from None
    except (ValueError, RecursionError):
        raise NotebookError(f"{path} is not a Jupyter notebook (it is not valid JSON)") from None


def _code_sources(path: str | Path, data: dict[str, Any]) -> list[str]:
    try:
        import nbformat
    except ImportError:
        raise NotebookError(
            f"{path} is a notebook, and reading notebooks needs nbformat: pip install nbformat"
        ) from None
    try:
        node = nbformat.from_dict(data)  # type: ignore[no-untyped-call]
        cells = list(node.cells)
        sources = [
            _text(cell.get("source", "")) for cell in cells if cell.get("cell_type") == "code"
        ]
    except (AttributeError, TypeError, ValueError):
        raise NotebookError(f"{path} is a damaged notebook (its cells cannot be read)") from None
    return sources


def _text(source: Any) -> str:
    """A cell's source: a string, or (on disk) a list of lines."""
    if isinstance(source, list):
        return "".join(str(part) for part in source)
    if not isinstance(source, str):
        raise TypeError("a cell's source should be text")
    return source


def _assemble(path: str, sources: list[str]) -> Notebook:
    cells: list[CodeCell] = []
    skipped: list[Skipped] = []
    lines: list[str] = []
    for number, source in enumerate(sources, start=1):
        start = len(lines) + 1
        lines.append(f"# In [{number}]:")
        own = source.splitlines()
        lines += own
        code, runs, notes = _runnable(number, own)
        skipped += notes
        cells.append(CodeCell(number, start, "\n".join(own), code, runs))
    return Notebook(path, cells, skipped, "\n".join(lines) + "\n")


def _runnable(number: int, lines: list[str]) -> tuple[str, bool, list[Skipped]]:
    """The cell as Python (skipped lines ``pass``), whether it runs, and what was skipped."""
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is not None and _CELL_MAGIC.match(lines[first]):
        return "", False, [Skipped(number, first + 1, lines[first].strip(), "cell magic")]
    code, notes = list(lines), []
    for index, line in enumerate(lines):
        found = _MAGIC.match(line) or _ASSIGNED.match(line)
        if found is None or not _statement_starts(code[:index]):
            continue  # Python's own text, or inside a string or an open bracket
        kind = "shell" if found.group(found.lastindex or 0) == "!" else "magic"
        indent = line[: len(line) - len(line.lstrip())]
        code[index] = f"{indent}pass"
        notes.append(Skipped(number, index + 1, line.strip(), kind))
    return "\n".join(code) + "\n", True, notes


def _statement_starts(before: list[str]) -> bool:
    """True when a new statement may start after ``before`` (no open string or bracket)."""
    try:
        for _ in tokenize.generate_tokens(io.StringIO("\n".join(before) + "\n").readline):
            pass
    except (tokenize.TokenError, SyntaxError):
        return False
    return True


# --- running -----------------------------------------------------------------------------------


def run_cells(notebook: Notebook, filename: str) -> dict[str, Any]:
    """Run the code cells in order in a fresh ``__main__`` namespace, as one kernel would; the
    first that raises ends the run (its exception propagates). Returns the namespace.

    ``filename`` (absolute) names every cell's code: tracebacks and the recorder see one file
    whose lines are :attr:`Notebook.text`'s.
    """
    lines = notebook.text.splitlines(keepends=True)
    linecache.cache[filename] = (len(notebook.text), None, lines, filename)
    main = types.ModuleType("__main__")
    saved = sys.modules.get("__main__")
    sys.modules["__main__"] = main
    try:
        for cell in notebook.cells:
            if cell.runs:
                code = compile("\n" * cell.start + cell.code, filename, "exec", dont_inherit=True)
                exec(code, main.__dict__)
    finally:
        if saved is not None:
            sys.modules["__main__"] = saved
    return main.__dict__


def scenario_source(path: str) -> tuple[str, CellMap | None] | None:
    """A scenario's text as the debugger shows it before its trace arrives (a notebook's with
    its cell map), read, never run; ``None`` when it cannot be read."""
    if is_notebook(path):
        try:
            notebook = read_notebook(path)
        except NotebookError:
            return None
        return notebook.text, notebook.cell_map(path)
    try:
        with tokenize.open(path) as file:  # decoded as Python decodes it
            return file.read(), None
    except (OSError, SyntaxError, UnicodeDecodeError):
        return None


def notebook_title(path: str | Path) -> str:
    """The first line of a notebook's first markdown cell (``#`` marks removed), for the
    picker; a note when it is not a notebook tapetui can run."""
    try:
        read_notebook(path)
        cells = _json(path)["cells"]
    except (NotebookError, KeyError, TypeError):
        return "(not a notebook tapetui can run)"
    for cell in cells if isinstance(cells, list) else []:
        if isinstance(cell, dict) and cell.get("cell_type") == "markdown":
            try:
                lines = [
                    line for line in _text(cell.get("source", "")).splitlines() if line.strip()
                ]
            except TypeError:
                continue
            if lines:
                return lines[0].lstrip("#").strip()
    return ""
