"""``tapetui --at-gradient``: the debugger opens on the first gradient call, not the first op."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

from tapetui.ui import build_app
from tapetui.ui.screens.debugger import DebuggerScreen
from tapetui.ui.widgets.status_line import StatusLine

ROOT = Path(__file__).resolve().parents[2]
TRACES = Path(__file__).resolve().parent / "traces"


def _opened(trace: str, at_gradient: bool) -> tuple[str, int | None, str, str]:
    """The kind and line of the step the debugger opens on, its source line, and the status."""
    found: list[tuple[str, int | None, str, str]] = []

    async def flow() -> None:
        app = build_app([str(TRACES / trace)], at_gradient=at_gradient)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, DebuggerScreen) and screen.stepper is not None
            step = screen.stepper.current
            assert step is not None
            status = screen.query_one("#status", StatusLine).message
            found.append((step.kind, step.line, screen.source_view.current_text.strip(), status))

    asyncio.run(flow())
    return found[0]


def test_at_gradient_opens_on_the_first_gradient_call() -> None:
    kind, line, text, status = _opened("persistent.json", at_gradient=True)
    assert (kind, line, text) == ("gradient", 18, "dz_dx = tape.gradient(z, x)")
    assert "opened at the first gradient call (step " in status


def test_without_it_the_debugger_opens_on_the_first_recorded_op() -> None:
    kind, line, text, status = _opened("persistent.json", at_gradient=False)
    assert (kind, line, text) == ("forward", 13, "z1 = x * x")
    assert "gradient call (step" not in status


def test_a_trace_with_no_gradient_call_opens_as_without_the_flag() -> None:
    assert _opened("no_tape.json", True)[:2] == _opened("no_tape.json", False)[:2]


def test_the_command_line_flag_reaches_the_screen(tmp_path: Path) -> None:
    shot = tmp_path / "shot.svg"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "tapetui",
            str(TRACES / "persistent.json"),
            "--at-gradient",
            "--screenshot",
            str(shot),
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "opened&#160;at&#160;the&#160;first&#160;gradient&#160;call" in shot.read_text()
