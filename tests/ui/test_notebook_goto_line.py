"""``:`` in a notebook takes the line as the user sees it, ``CELL:LINE`` (``2:3`` is cell 2,
line 3), as well as a file line of the recorded source; a cell or line the notebook does not have
is one sentence, and the cursor stays."""

from __future__ import annotations

import asyncio
from pathlib import Path

import nbformat
import pytest
from textual.pilot import Pilot

from tapetui.trace.cells import Cell, CellMap
from tapetui.ui.app import TapeTuiApp
from tapetui.ui.jump import asked_line
from tapetui.ui.launch import build_app
from tapetui.ui.screens.ask import AskScreen
from tapetui.ui.screens.debugger import DebuggerScreen


async def _recorded(app: TapeTuiApp, pilot: Pilot[int]) -> DebuggerScreen:
    for _ in range(900):
        await pilot.pause(0.1)
        if app.ready:
            break
    screen = app.screen
    assert isinstance(screen, DebuggerScreen) and screen.trace is not None
    return screen


async def _go(pilot: Pilot[int], text: str) -> None:
    await pilot.press("colon")
    await pilot.pause()
    assert isinstance(pilot.app.screen, AskScreen)
    await pilot.press(*text, "enter")
    await pilot.pause()


def _here(screen: DebuggerScreen) -> tuple[int | None, str]:
    """The cursor's step's file line, and the source line highlighted for it."""
    assert screen.stepper is not None
    step = screen.stepper.current
    assert step is not None
    return step.line, screen.source_view.current_text.strip()


def test_colon_goes_to_a_cells_line_in_a_notebook(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell("import tensorflow as tf\nx = tf.Variable(3.0, name='x')"),
        nbformat.v4.new_markdown_cell("words between"),
        nbformat.v4.new_code_cell(
            "with tf.GradientTape() as tape:\n    y = x * x\n    z = y + 1.0"
        ),
        nbformat.v4.new_code_cell("print(tape.gradient(z, x))"),
    ]
    nbformat.write(notebook, str(tmp_path / "nb.ipynb"))
    monkeypatch.chdir(tmp_path)

    async def flow() -> None:
        app = build_app(["nb.ipynb"])
        async with app.run_test(size=(140, 40)) as pilot:
            screen = await _recorded(app, pilot)
            assert screen.trace is not None and screen.trace.notebook is not None
            cells = screen.trace.notebook
            await _go(pilot, "2:3")  # cell 2 (the second code cell), line 3: z = y + 1.0
            assert _here(screen) == (cells.file_line(2, 3), "z = y + 1.0")
            await _go(pilot, "3:1")
            assert _here(screen)[1] == "print(tape.gradient(z, x))"
            file_line = cells.file_line(2, 2)
            assert file_line is not None
            await _go(pilot, str(file_line))  # a plain file line still works
            assert _here(screen)[1] == "y = x * x"
            await _go(pilot, "9:1")  # no such cell: the cursor stays
            assert _here(screen)[1] == "y = x * x"

    asyncio.run(flow())


CELLS = CellMap("nb.ipynb", [Cell(number=1, start=1, lines=2), Cell(number=2, start=4, lines=3)])
"""Cell 1 under the header on file line 1 (its lines are 2 and 3), cell 2 under line 4."""


@pytest.mark.parametrize(
    ("answer", "notebook", "file", "expected"),
    [
        ("35", None, None, 35),
        (":2:3", CELLS, "nb.ipynb", 7),
        (" 1 : 2 ", CELLS, None, 3),
        ("2:0", CELLS, "nb.ipynb", "the notebook has no cell 2 with a line 0"),
        ("2:4", CELLS, "nb.ipynb", "the notebook has no cell 2 with a line 4"),
        ("3:1", CELLS, "nb.ipynb", "the notebook has no cell 3 with a line 1"),
        ("2:3", None, "s.py", "“2:3” is a cell and line, but the source shown is not a notebook"),
        (
            "2:3",
            CELLS,
            "helper.py",
            "“2:3” is a cell and line, but the source shown is not a notebook",
        ),
        ("c2", CELLS, "nb.ipynb", "“c2” is not a line number nor a cell and line such as 3:2"),
        ("x", None, None, "“x” is not a line number"),
    ],
)
def test_asked_line_reads_a_file_line_or_a_cells_line(
    answer: str, notebook: CellMap | None, file: str | None, expected: int | str
) -> None:
    assert asked_line(answer, notebook, file) == expected
