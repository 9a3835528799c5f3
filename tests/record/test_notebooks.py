"""Notebooks as scenarios: a real ``.ipynb`` (written with nbformat) recorded through the real
command, its lines named as its cells and lines everywhere, its magics never run, and the first
tutorial's notebook (``scenarios/tutorial.ipynb``) showing what the tutorial says."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import nbformat
import pytest

from tapetui.record import record
from tapetui.report import render_text
from tapetui.trace import Trace, load

from ..command import REPO, tapetui

CELLS = [
    ("markdown", "# A notebook\nx is a Variable, y1 is computed before the tape."),
    ("code", "import tensorflow as tf\nx = tf.Variable(3.0)"),
    (
        "code",
        "%matplotlib inline\n!touch marker\nwith tf.GradientTape(persistent=True) as tape:\n"
        "    y = x * x\nprint(tape.gradient(y, x))",
    ),
    ("markdown", "The next cell's first line runs before the tape."),
    (
        "code",
        "y1 = x * x\nwith tf.GradientTape() as t2:\n    y2 = x + 1\nprint(t2.gradient(y1, x))",
    ),
    ("code", "print('before the error')\nraise ValueError('cell four fails')"),
    ("code", "print('never printed')\nopen('after_error', 'w').close()"),
]


def write_notebook(folder: Path, cells: list[tuple[str, str]], name: str = "nb.ipynb") -> Path:
    notebook = nbformat.v4.new_notebook()
    for kind, source in cells:
        make = nbformat.v4.new_code_cell if kind == "code" else nbformat.v4.new_markdown_cell
        notebook.cells.append(make(source))
    path = folder / name
    nbformat.write(notebook, str(path))
    return path


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Trace, dict[str, Any], str]:
    """The fixture notebook recorded once by ``tapetui record``, with its report as JSON and
    as text (from the trace file: viewing never runs it again)."""
    folder = tmp_path_factory.mktemp("notebook")
    write_notebook(folder, CELLS)
    done = tapetui("record", "nb.ipynb", "-o", "t.json", cwd=folder, timeout=300)
    assert done.returncode == 1, done.stderr  # the fourth code cell raised
    report = tapetui("report", "t.json", "--json", cwd=folder)
    text = tapetui("report", "t.json", cwd=folder)
    return folder, load(folder / "t.json"), json.loads(report.stdout), text.stdout


def test_the_code_cells_run_in_order_and_give_the_tapes_values(recorded: Any) -> None:
    _, trace, report, _ = recorded
    values = [(r["source"], r["value"]) for c in report["gradient_calls"] for r in c["results"]]
    assert values == [("x", 6.0), ("x", None)]
    assert (
        trace.output("stdout")
        == "tf.Tensor(6.0, shape=(), dtype=float32)\nNone\nbefore the error\n"
    )


def test_magics_and_shell_lines_are_skipped_with_a_note_and_never_run(recorded: Any) -> None:
    folder, trace, report, text = recorded
    assert not (folder / "marker").exists()  # `!touch marker` was not executed
    skipped = report["notebook"]["skipped"]
    assert skipped == [
        {"cell": 2, "line": 1, "text": "%matplotlib inline", "kind": "magic"},
        {"cell": 2, "line": 2, "text": "!touch marker", "kind": "shell"},
    ]
    assert "note: cell 2, line 2: skipped the shell command `!touch marker` (never run)" in text
    assert trace.notebook is not None and len(trace.notebook.skipped) == 2


def test_every_line_in_the_report_text_is_a_cell_and_its_line(recorded: Any) -> None:
    _, _, _, text = recorded
    assert "tape 1 · cell 2, line 3 · persistent" in text
    assert "gradient call 1 · cell 2, line 5 · tape 1" in text
    assert "gradient call 2 · cell 3, line 4 · tape 2" in text
    # the why-None sentence names the lines the way the notebook numbers them
    assert (
        "cause [outside_tape] `y1 = x * x` (cell 3, line 1) ran before `t2` started recording "
        "at cell 3, line 2." in text
    )
    assert "evidence: cell 1, line 2; cell 3, line 1; cell 3, line 2; cell 3, line 4" in text
    assert "error: ValueError at cell 4, line 2: cell four fails" in text


def test_the_json_keeps_the_file_line_and_puts_cell_and_line_beside_it(recorded: Any) -> None:
    _, trace, report, _ = recorded
    call = report["gradient_calls"][1]
    assert call["notebook"] == {"cell": 3, "line": 4}
    assert trace.sources["nb.ipynb"].splitlines()[call["line"] - 1] == "print(t2.gradient(y1, x))"
    result = call["results"][0]
    assert result["evidence_cells"][1] == {"cell": 3, "line": 1}
    assert len(result["evidence_cells"]) == len(result["evidence_lines"])
    assert report["tapes"][0]["notebook"] == {"cell": 2, "line": 3}
    assert report["error"]["notebook"] == {"cell": 4, "line": 2}


def test_a_raising_cell_ends_the_run_there_and_is_the_failing_cell(recorded: Any) -> None:
    folder, trace, _, _ = recorded
    assert trace.status == "raised" and trace.error is not None
    assert (trace.error.type, trace.line_words(trace.error.line, trace.error.file)) == (
        "ValueError",
        "cell 4, line 2",
    )
    assert 'File "nb.ipynb", cell 4, line 2, in <module>' in trace.error.traceback
    assert "never printed" not in trace.output()
    assert not (folder / "after_error").exists()  # the cell after it never ran


def test_the_source_recorded_is_every_code_cell_under_its_heading(recorded: Any) -> None:
    _, trace, _, _ = recorded
    source = trace.sources["nb.ipynb"]
    assert source.splitlines()[:3] == [
        "# In [1]:",
        "import tensorflow as tf",
        "x = tf.Variable(3.0)",
    ]
    assert trace.notebook is not None
    assert [cell.number for cell in trace.notebook.cells] == [1, 2, 3, 4, 5]


def test_a_syntax_error_in_a_cell_runs_the_cells_before_it(tmp_path: Path) -> None:
    write_notebook(tmp_path, [("code", "print('first')"), ("code", "x = (1,\ny = 2 +")])
    done = tapetui("report", "nb.ipynb", "--json", cwd=tmp_path, timeout=300)
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert report["stdout"] == "first\n"
    assert report["error"]["type"] == "SyntaxError"
    assert report["error"]["notebook"]["cell"] == 2
    assert "nb.ipynb" not in report["error"]["message"]  # no absolute path of the notebook


# --- the first tutorial's notebook ----------------------------------------------------------


@pytest.fixture(scope="session")
def tutorial() -> Trace:
    """``scenarios/tutorial.ipynb`` recorded once per session, named as a user would type it."""
    cwd = os.getcwd()
    os.chdir(REPO)
    try:
        return record(Path("scenarios") / "tutorial.ipynb")
    finally:
        os.chdir(cwd)


def _values(trace: Trace) -> list[Any]:
    calls = sorted(trace.gradient_calls.values(), key=lambda c: c.seq)
    out = []
    for call in calls[:6]:
        ref = call.result_ids[0]
        out.append(None if ref is None else trace.tensors[ref].data)
    return out


def test_the_tutorial_notebook_shows_what_the_tutorial_says(tutorial: Trace) -> None:
    assert _values(tutorial) == [6.0, 6.0, 8.0, 6.0, None, 1.0]
    printed = tutorial.output("stdout")
    assert "None\ntf.Tensor(1.0, shape=(), dtype=float32)\n" in printed
    # the regression, from the W that tapetui's default seed draws (the notebook sets none)
    assert "Epoch [100/100], Loss: 0.2139, W: 0.3496, b: 0.1042" in printed
    assert "最终模型: y = 0.3496x + 0.1042" in printed
    assert len(tutorial.gradient_calls) == 6 + 100  # the loop's 100 epochs


def test_the_tutorial_notebooks_none_is_explained_in_its_cell(tutorial: Trace) -> None:
    text = render_text(tutorial)
    assert "cause [outside_tape] `y1 = x * x` (cell 5, line 2) ran before `tape`" in text


def test_the_tutorial_plot_cell_alone_needs_matplotlib(tutorial: Trace) -> None:
    """Without matplotlib only the plot cell (the last) fails, as "run all" would; with it,
    ``plt.show()`` saves the figure and the notebook finishes."""
    try:
        import matplotlib  # noqa: F401
    except ModuleNotFoundError:
        assert tutorial.status == "raised" and tutorial.error is not None
        assert tutorial.error.type == "ModuleNotFoundError"
        assert tutorial.line_words(tutorial.error.line) == "cell 7, line 1"
    else:
        assert tutorial.status == "finished"
        assert tutorial.meta["figures"][0]["how"] == "show"
