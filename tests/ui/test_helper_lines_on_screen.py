"""A notebook that imports a helper module: the panes name a helper line as that file's
(``helper.py l.7``), the notebook's as its cell's (``c2 l.1``), in the why pane's evidence and the
tapes pane's watches alike (the trace: ``tests/ui/scenarios/helper_notebook``)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tapetui.trace import load
from tapetui.ui import build_app
from tapetui.ui.screens.debugger import DebuggerScreen
from tapetui.ui.values import short_place

TRACE = Path(__file__).resolve().parent / "traces" / "notebook_helper.json"
HELPER = "tests/ui/scenarios/helper_notebook/helper.py"
NOTEBOOK = "tests/ui/scenarios/helper_notebook/uses_helper.ipynb"


def test_a_helper_line_is_the_helper_s_and_a_notebook_line_its_cell_s() -> None:
    trace = load(TRACE)
    assert short_place(trace, HELPER, 7) == "helper.py l.7"
    assert short_place(trace, NOTEBOOK, 7) == short_place(trace, None, 7) == "c2 l.3"
    assert short_place(trace, "/elsewhere/lib.py", 7) == "l.7"  # not one of the trace's files


def test_the_why_pane_and_the_tapes_pane_name_the_helper_s_line() -> None:
    async def flow() -> tuple[str, str]:
        app = build_app([str(TRACE)])
        async with app.run_test(size=(150, 40)) as pilot:
            screen = app.screen
            assert isinstance(screen, DebuggerScreen)
            await pilot.press("w")
            return screen.why_pane.plain, screen.tapes_pane.plain

    why, tapes = asyncio.run(flow())
    assert "(line 7 of helper.py)" in " ".join(why.split())
    evidence = why.split("evidence\n", 1)[1].split("\n\n", 1)[0].splitlines()
    # The constant `tf.constant(twice)` made no op: first seen at the tape's exit (c2 l.2), a
    # line where it was not made, which the evidence does not cite.
    assert evidence == [
        "c2 l.1  `x` created",
        "helper.py l.7  `x` left TensorFlow (`.numpy()`)",
        "c2 l.4  tape.gradient() called here",
    ]
    assert "◉ x (auto, helper.py l.7)" in tapes
