"""Keyboard flows on a hand-built trace, and bad input that must not crash the app."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from tapetui.trace import save
from tapetui.ui import build_app, run
from tapetui.ui.app import TapeTuiApp
from tapetui.ui.scenarios import discover
from tapetui.ui.screens.debugger import DebuggerScreen
from tapetui.ui.screens.help import HelpScreen
from tapetui.ui.screens.overview import OverviewScreen
from tests.ui.handmade import square_twice


@pytest.fixture(scope="module")
def trace_file(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("traces") / "square_twice.json"
    save(square_twice(), path)
    return str(path)


def test_b_jumps_from_the_op_to_its_backward_step(trace_file: str) -> None:
    async def flow() -> None:
        app = build_app([trace_file])
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("n", "b")
            screen = app.screen
            assert isinstance(screen, DebuggerScreen)
            assert screen.source_view.current == 8
            assert "upstream ∂z/∂z = 1.0" in screen.detail.plain
            await pilot.press("b")
            assert "out z 81.0  float32 ()" in screen.detail.plain

    asyncio.run(flow())


def test_end_and_home_reach_the_last_and_first_steps(trace_file: str) -> None:
    async def flow() -> None:
        app = build_app([trace_file])
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("end")
            screen = app.screen
            assert isinstance(screen, DebuggerScreen)
            assert screen.source_view.current == 10
            await pilot.press("home")
            assert screen.source_view.current == 7

    asyncio.run(flow())


def test_help_and_overview_open_and_close(trace_file: str) -> None:
    async def flow() -> None:
        app = build_app([trace_file])
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("question_mark")
            assert isinstance(app.screen, HelpScreen)
            await pilot.press("escape", "v")
            assert isinstance(app.screen, OverviewScreen)
            await pilot.press("enter")
            assert isinstance(app.screen, DebuggerScreen)

    asyncio.run(flow())


def test_a_corrupt_trace_is_refused_with_one_sentence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "tapetui-trace", "version": 1, "events": [', encoding="utf-8")
    assert run([str(bad)]) == 2
    err = capsys.readouterr().err
    assert "is not valid JSON" in err and err.count("\n") == 1


def test_a_trace_with_a_broken_event_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"format": "tapetui-trace", "version": 1, "events": [{"kind": "?"}]}))
    assert run([str(bad)]) == 2
    assert "damaged" in capsys.readouterr().err


def test_a_missing_scenario_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["no/such/scenario.py"]) == 2
    assert "scenario.py" in capsys.readouterr().err


def test_a_trace_whose_events_name_a_missing_call_is_refused_in_one_sentence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    trace = square_twice()
    trace.gradient_calls.pop(2)  # a call whose event is still in the timeline
    path = tmp_path / "dangling.json"
    save(trace, path)
    assert run([str(path)]) == 2
    err = capsys.readouterr().err
    assert "names gradient call 2, which the trace does not hold" in err
    assert "Traceback" not in err


def test_a_trace_missing_a_tensor_still_shows_every_step(tmp_path: Path) -> None:
    trace = square_twice()
    trace.tensors.pop(21)  # a gradient the backward step points at
    path = tmp_path / "dangling.json"
    save(trace, path)

    async def flow() -> None:
        app = build_app([str(path)])
        async with app.run_test(size=(80, 24)) as pilot:
            screen = app.screen
            assert isinstance(screen, DebuggerScreen)
            for _ in range(len(screen.stepper.steps) if screen.stepper else 0):
                await pilot.press("n")
                assert screen.detail.plain
            await pilot.press("w", "o", "v")
            assert isinstance(app.screen, OverviewScreen)

    asyncio.run(flow())


def test_a_trace_without_events_says_there_is_nothing_to_step_through(tmp_path: Path) -> None:
    from tapetui.trace import Trace

    path = tmp_path / "empty.json"
    save(Trace(scenario="empty.py", status="finished", sources={"empty.py": "pass\n"}), path)

    async def flow() -> None:
        app = build_app([str(path)])
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("n", "b", "g", "w", "end")
            screen = app.screen
            assert isinstance(screen, DebuggerScreen)
            assert "no tape" in str(screen.query_one("#status").render())
            assert "nothing to step through" in screen.detail.plain

    asyncio.run(flow())


def test_headless_screenshot_after_keys_shows_the_step_reached(
    trace_file: str, tmp_path: Path
) -> None:
    out = tmp_path / "shot.svg"
    assert run([trace_file], screenshot=str(out), press=["n", "b"], size=(100, 30)) == 0
    svg = out.read_text(encoding="utf-8")
    assert "step&#160;3/10" in svg or "step 3/10" in svg
    assert "/tmp" not in svg and str(tmp_path) not in svg


def _recorded_instantly(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[str]:
    """Scenarios a.py and b.py whose recording returns the hand-built trace at once."""
    import tapetui.record.process

    paths = []
    for name in ("a.py", "b.py"):
        (tmp_path / name).write_text("x = 1\n", encoding="utf-8")
        paths.append(str(tmp_path / name))
    monkeypatch.setattr(tapetui.record.process, "record", lambda *_, **__: square_twice())
    return paths


def test_escape_goes_back_from_a_picked_scenario_to_the_picker(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from tapetui.ui.screens.picker import PickerScreen

    async def flow() -> None:
        app = TapeTuiApp(scenarios=discover(_recorded_instantly(monkeypatch, tmp_path)), warm=False)
        async with app.run_test(size=(120, 40)) as pilot:
            assert isinstance(app.screen, PickerScreen)
            await pilot.press("enter")
            screen = app.screen
            assert isinstance(screen, DebuggerScreen)
            while not screen.ready:
                await pilot.pause(0.01)
            await pilot.press("escape")
            assert isinstance(app.screen, PickerScreen)

    asyncio.run(flow())


def test_escape_keeps_the_only_scenario_open(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    async def flow() -> None:
        first = _recorded_instantly(monkeypatch, tmp_path)[0]
        app = TapeTuiApp(scenarios=discover([first]), warm=False)
        async with app.run_test(size=(120, 40)) as pilot:
            screen = app.screen
            assert isinstance(screen, DebuggerScreen)
            while not screen.ready:
                await pilot.pause(0.01)
            await pilot.press("escape")
            assert app.screen is screen
            assert screen.trace is not None and screen.trace.status == "finished"

    asyncio.run(flow())
