"""One real run: the UI records scenarios/basic.py through the child process and shows its result."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest

from tapetui.ui import build_app
from tapetui.ui.screens.debugger import DebuggerScreen

ROOT = Path(__file__).resolve().parents[2]


def test_recording_basic_through_the_child_process_shows_its_gradient(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(ROOT)
    # Other tests record in this process; what matters is that the UI's run imports nothing of
    # TensorFlow itself (a fresh interpreter's imports are checked in tests/test_layering.py).
    imported_before = "tensorflow" in sys.modules

    async def flow() -> None:
        app = build_app(["scenarios/basic.py"])
        async with app.run_test(size=(120, 40)) as pilot:
            for _ in range(600):
                await pilot.pause(0.1)
                if app.ready:
                    break
            screen = app.screen
            assert isinstance(screen, DebuggerScreen)
            assert screen.trace is not None and screen.trace.status == "finished"
            assert ("tensorflow" in sys.modules) == imported_before
            await pilot.press("g")
            assert "6.0" in screen.detail.plain
            assert "6.0" in screen.tapes_pane.plain

    asyncio.run(flow())


def test_escape_cancels_a_scenario_that_never_ends(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)

    async def flow() -> None:
        app = build_app(["tests/ui/scenarios/forever.py"])
        async with app.run_test(size=(80, 24)) as pilot:
            screen = app.screen
            assert isinstance(screen, DebuggerScreen)
            assert "importing TensorFlow" in str(screen.query_one("#status").render())
            for _ in range(300):
                await pilot.pause(0.1)
                if "running" in str(screen.query_one("#status").render()):
                    break
            await pilot.press("escape")
            for _ in range(300):
                await pilot.pause(0.1)
                if app.ready:
                    break
            assert screen.trace is not None and screen.trace.status == "cancelled"
            assert "cancelled" in str(screen.query_one("#status").render())

    asyncio.run(flow())


def test_r_records_the_edited_scenario_again_through_the_warm_child(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scenario = tmp_path / "edit_me.py"
    scenario.write_text(
        "import tensorflow as tf\nx = tf.Variable(3.0)\nwith tf.GradientTape() as tape:\n"
        "    y = x * x\nprint(tape.gradient(y, x).numpy())\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(ROOT)

    async def recorded(app: object, pilot: object) -> DebuggerScreen:
        for _ in range(600):
            await pilot.pause(0.1)  # type: ignore[attr-defined]
            if app.ready:  # type: ignore[attr-defined]
                break
        screen = app.screen  # type: ignore[attr-defined]
        assert isinstance(screen, DebuggerScreen)
        return screen

    async def flow() -> None:
        app = build_app([str(scenario)])
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await recorded(app, pilot)
            assert "dy/dx = 6.0" in screen.tapes_pane.plain
            warm = app.warm
            assert warm is not None and warm.handovers == 1  # the child started at launch
            # The next child imports TensorFlow while the user edits the scenario.
            assert await asyncio.to_thread(warm.wait_ready, 120)
            scenario.write_text(scenario.read_text().replace("3.0", "5.0"), encoding="utf-8")
            await pilot.press("r")
            screen = await recorded(app, pilot)
            assert "dy/dx = 10.0" in screen.tapes_pane.plain
            assert warm.handovers == 2
            waiting = warm.idle_process
        # Quitting ends the child that waited for the next recording.
        assert waiting is not None and waiting.poll() is not None

    asyncio.run(flow())
