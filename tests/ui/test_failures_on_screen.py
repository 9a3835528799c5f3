"""What the debugger shows for runs that went wrong: NaN and Inf highlighted, a dead process's
partial trace with its sentence. The traces are recorded for real, once per module."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from rich.text import Text
from textual.widgets import Static

from tapetui.record.process import record
from tapetui.trace import Trace
from tapetui.ui.app import TapeTuiApp
from tapetui.ui.screens.debugger import DebuggerScreen
from tapetui.ui.widgets.lines_view import NONFINITE_STYLE, LinesView

NONFINITE = (
    "import tensorflow as tf\n"
    "x = tf.Variable([0.0, 1.0, -1.0])\n"
    "with tf.GradientTape() as tape:\n"
    "    y = tf.reduce_sum(tf.math.log(x) + tf.sqrt(x))\n"
    "g = tape.gradient(y, x)\n"
)
HARD_EXIT = (
    "import os\n"
    "import tensorflow as tf\n"
    "x = tf.Variable(3.0)\n"
    "with tf.GradientTape() as tape:\n"
    "    y = x * x\n"
    "os._exit(3)\n"
)


def _record(folder: Path, name: str, body: str) -> Trace:
    path = folder / name
    path.write_text(body)
    return record(path)


@pytest.fixture(scope="module")
def traces(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Trace]:
    folder = tmp_path_factory.mktemp("failures")
    return {
        "nonfinite": _record(folder, "nonfinite.py", NONFINITE),
        "hard_exit": _record(folder, "hard_exit.py", HARD_EXIT),
    }


def _highlighted(pane: LinesView) -> list[str]:
    content = pane.query_one("#lines", Static).content
    assert isinstance(content, Text)
    return [content.plain[s.start : s.end] for s in content.spans if s.style == NONFINITE_STYLE]


def test_nan_and_inf_in_a_gradient_are_highlighted(traces: dict[str, Trace]) -> None:
    async def flow() -> None:
        app = TapeTuiApp(trace=traces["nonfinite"])
        async with app.run_test(size=(120, 40)) as pilot:
            screen = app.screen
            assert isinstance(screen, DebuggerScreen)
            await pilot.press("g")
            assert "[inf, 1.5, nan]" in screen.tapes_pane.plain
            assert _highlighted(screen.tapes_pane) == ["inf", "nan"]
            assert "inf" in _highlighted(screen.detail) and "nan" in _highlighted(screen.detail)

    asyncio.run(flow())


def test_a_process_that_died_shows_its_partial_trace_and_why(traces: dict[str, Trace]) -> None:
    trace = traces["hard_exit"]
    assert trace.status == "died" and trace.exit_code == 3

    async def flow() -> None:
        app = TapeTuiApp(trace=trace)
        async with app.run_test(size=(120, 40)) as pilot:
            screen = app.screen
            assert isinstance(screen, DebuggerScreen)
            status = str(screen.query_one("#status", Static).content)
            assert "ended with exit code 3 after line 5" in status
            assert screen.stepper is not None
            for _ in range(len(screen.stepper.steps)):
                step = screen.stepper.current
                if step and getattr(step.event, "op_type", "") == "Mul":
                    break
                await pilot.press("n")
            assert screen.source_view.current_text.strip() == "y = x * x"
            assert "9.0" in screen.detail.plain

    asyncio.run(flow())
