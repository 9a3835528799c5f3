"""Reading notebooks (no TensorFlow): bad ones are one sentence and exit 2, through the real
command; magics are found by IPython's syntax, not inside strings; the cell map names lines."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from tapetui.scenario.notebook import NotebookError, read_notebook
from tapetui.trace.cells import Cell, CellMap, cell_map_from_dict, cell_map_to_dict, line_words

from .command import one_sentence, tapetui


def _notebook(tmp_path: Path, *sources: str) -> Path:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_markdown_cell("# title")]
    notebook.cells += [nbformat.v4.new_code_cell(source) for source in sources]
    path = tmp_path / "nb.ipynb"
    nbformat.write(notebook, str(path))
    return path


@pytest.mark.parametrize("command", [(), ("report",), ("record", "-o", "t.json")])
def test_a_notebook_that_is_not_json_is_one_sentence(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    (tmp_path / "nb.ipynb").write_text("{not json")
    result = tapetui(*command[:1], "nb.ipynb", *command[1:], cwd=tmp_path)
    assert result.returncode == 2
    assert one_sentence(result.stderr) == (
        "tapetui: nb.ipynb is not a Jupyter notebook (it is not valid JSON)"
    )


def test_a_notebook_in_format_3_is_refused_with_how_to_convert_it(tmp_path: Path) -> None:
    (tmp_path / "old.ipynb").write_text(json.dumps({"nbformat": 3, "worksheets": []}))
    result = tapetui("report", "old.ipynb", cwd=tmp_path)
    assert result.returncode == 2
    sentence = one_sentence(result.stderr)
    assert "old.ipynb is a notebook in format 3, and tapetui reads format 4" in sentence


def test_a_notebook_with_no_code_cell_is_refused(tmp_path: Path) -> None:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_markdown_cell("only words")]
    nbformat.write(notebook, str(tmp_path / "words.ipynb"))
    result = tapetui("words.ipynb", cwd=tmp_path)
    assert result.returncode == 2
    assert one_sentence(result.stderr) == "tapetui: words.ipynb has no code cell to run"


def test_json_that_is_not_a_notebook_is_refused(tmp_path: Path) -> None:
    (tmp_path / "list.ipynb").write_text("[1, 2]")
    result = tapetui("record", "list.ipynb", "-o", str(tmp_path / "t.json"), cwd=tmp_path)
    assert result.returncode == 2
    assert "list.ipynb is not a Jupyter notebook" in one_sentence(result.stderr)
    assert not (tmp_path / "t.json").exists()


def test_magics_are_found_by_syntax_not_inside_strings_or_brackets(tmp_path: Path) -> None:
    path = _notebook(
        tmp_path,
        "x = 1\n%time y = 2\nfiles = !ls\ntext = '''\n!not a shell line\n'''\n"
        "pair = (10\n% 3)\nif x:\n    !echo indented",
        "%%bash\necho whole cell",
    )
    notebook = read_notebook(path)
    found = [(s.cell, s.line, s.kind) for s in notebook.skipped]
    assert found == [(1, 2, "magic"), (1, 3, "shell"), (1, 10, "shell"), (2, 1, "cell magic")]
    first, second = notebook.cells
    assert first.code.splitlines()[1:3] == ["pass", "pass"]
    assert first.code.splitlines()[4] == "!not a shell line"  # a string's text, untouched
    assert first.code.splitlines()[9] == "    pass"  # the block stays valid Python
    assert not second.runs
    compile(first.code, "nb", "exec")


def test_the_recorded_source_numbers_cells_as_a_fresh_run_all_does(tmp_path: Path) -> None:
    notebook = read_notebook(_notebook(tmp_path, "a = 1\nb = 2", "", "c = 3"))
    assert notebook.text == "# In [1]:\na = 1\nb = 2\n# In [2]:\n# In [3]:\nc = 3\n"
    cells = notebook.cell_map("nb.ipynb")
    assert [line_words(cells, None, n) for n in (2, 3, 4, 6)] == [
        "cell 1, line 1",
        "cell 1, line 2",
        "cell 2",
        "cell 3, line 1",
    ]
    assert line_words(cells, "helper.py", 2) == "line 2"  # another file keeps its own lines
    assert cells.file_line(3, 1) == 6


def test_the_cell_map_survives_json_and_rejects_damage() -> None:
    cells = CellMap("nb.ipynb", [Cell(1, 1, 2), Cell(2, 4, 1)])
    assert cell_map_from_dict(json.loads(json.dumps(cell_map_to_dict(cells)))) == cells
    assert cell_map_from_dict(None) is None
    with pytest.raises(ValueError):
        cell_map_from_dict({"file": "nb.ipynb", "cells": [[1, "one", 2]]})


def test_a_trace_without_a_cell_map_still_loads(tmp_path: Path) -> None:
    from tapetui.trace import load

    trace = load(Path(__file__).parent / "ui" / "traces" / "basic.json")
    assert trace.notebook is None
    assert trace.line_words(7) == "line 7"


def test_reading_a_missing_notebook_names_it(tmp_path: Path) -> None:
    with pytest.raises(NotebookError, match=r"gone\.ipynb cannot be read"):
        read_notebook(tmp_path / "gone.ipynb")
