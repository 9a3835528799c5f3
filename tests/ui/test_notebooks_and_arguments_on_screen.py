"""The debugger on a notebook (cells under their headings, lines numbered within each cell, the
failing cell named) and on a script with arguments, which ``r`` re-runs with the same ones."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import nbformat
import pytest
from textual.pilot import Pilot

from tapetui.ui.app import TapeTuiApp
from tapetui.ui.launch import build_app
from tapetui.ui.screens.debugger import DebuggerScreen


async def _recorded(app: TapeTuiApp, pilot: Pilot[int]) -> DebuggerScreen:
    for _ in range(900):
        await pilot.pause(0.1)
        if app.ready:
            break
    screen = app.screen
    assert isinstance(screen, DebuggerScreen) and screen.trace is not None
    return screen


def test_r_re_runs_the_script_with_the_same_arguments(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scenario = tmp_path / "train.py"
    scenario.write_text(
        "import json, sys\nimport tensorflow as tf\nprint(json.dumps(sys.argv[1:]))\n"
        "x = tf.Variable(float(sys.argv[2]))\nwith tf.GradientTape() as tape:\n"
        "    y = x * x\nprint(tape.gradient(y, x).numpy())\n"
    )
    monkeypatch.chdir(tmp_path)
    args = ["--x", "4", "--", "tail"]

    async def flow() -> None:
        app = build_app(["train.py"], argv=args)
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await _recorded(app, pilot)
            first = screen.trace
            assert first is not None
            assert json.loads(first.output("stdout").splitlines()[0]) == args
            assert "dy/dx = 8.0" in screen.tapes_pane.plain
            await pilot.press("r")
            await pilot.pause(0.2)
            screen = await _recorded(app, pilot)
            again = screen.trace
            assert again is not None and again is not first  # recorded again
            assert json.loads(again.output("stdout").splitlines()[0]) == args
            assert again.meta["argv"] == args
            assert "dy/dx = 8.0" in screen.tapes_pane.plain

    asyncio.run(flow())


def test_a_notebook_shows_its_cells_and_opens_on_the_failing_cell(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_markdown_cell("# words"),
        nbformat.v4.new_code_cell("import tensorflow as tf\nx = tf.Variable(3.0)"),
        nbformat.v4.new_code_cell(
            "!pip install nothing\nwith tf.GradientTape() as tape:\n    y = x * x"
        ),
        nbformat.v4.new_code_cell("print(tape.gradient(y, x))\nraise KeyError('cell 3')"),
    ]
    nbformat.write(notebook, str(tmp_path / "nb.ipynb"))
    monkeypatch.chdir(tmp_path)

    async def flow() -> None:
        app = build_app(["nb.ipynb"])
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await _recorded(app, pilot)
            status = str(screen.query_one("#status").render())
            assert "nb.ipynb raised KeyError in cell 3, line 2" in status
            source = screen.source_view
            rows = [source.line(i).plain.rstrip() for i in range(len(source.lines))]
            assert rows[0].strip() == "── cell 1 ──"
            assert rows[1] == "1  import tensorflow as tf"
            assert rows[3].strip() == "── cell 2 ──"
            assert rows[4] == "1  !pip install nothing"
            assert rows[7].strip() == "── cell 3 ──"
            assert rows[9] == "2▶ raise KeyError('cell 3')"  # the failing line, in its cell
            assert "c2 l.2" in screen.tapes_pane.plain  # the tape, named by cell and line
            await pilot.press("o")
            assert "skipped the shell command `!pip install nothing`" in screen.output_pane.plain

    asyncio.run(flow())
