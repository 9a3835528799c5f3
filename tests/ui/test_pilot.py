"""Keyboard flows on traces recorded by tapetui (tests/ui/traces, made by make_traces.py)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from textual.pilot import Pilot

from tapetui.ui import build_app
from tapetui.ui.app import TapeTuiApp
from tapetui.ui.screens.debugger import DebuggerScreen
from tapetui.ui.screens.overview import OverviewScreen

TRACES = Path(__file__).resolve().parent / "traces"


def _screen(app: TapeTuiApp) -> DebuggerScreen:
    screen = app.screen
    assert isinstance(screen, DebuggerScreen)
    return screen


async def _step_to(pilot: Pilot[int], screen: DebuggerScreen, op: str, line: int) -> None:
    """Press n until the forward ``op`` on ``line`` is the current step."""
    assert screen.stepper is not None
    for _ in range(len(screen.stepper.steps)):
        step = screen.stepper.current
        if (
            step
            and step.kind == "forward"
            and getattr(step.event, "op_type", "") == op
            and step.line == line
        ):
            return
        await pilot.press("n")
    raise AssertionError(f"never reached {op} on line {line}")


def test_stepping_to_the_mul_of_z2_shows_3_in_and_9_out() -> None:
    async def flow() -> None:
        app = build_app([str(TRACES / "persistent.json")])
        async with app.run_test(size=(120, 40)) as pilot:
            screen = _screen(app)
            await _step_to(pilot, screen, "Mul", 14)
            assert screen.source_view.current_text.strip() == "z2 = y * y"
            rows = screen.detail.plain.splitlines()
            assert [r.split()[:3] for r in rows if r.startswith(("in ", "out "))] == [
                ["in", "y", "3.0"],
                ["in", "y", "3.0"],
                ["out", "z2", "9.0"],
            ]
            assert "recorded by tape 1 (tape)" in screen.detail.plain

    asyncio.run(flow())


def test_b_on_the_mul_of_z2_shows_upstream_local_partial_and_product() -> None:
    async def flow() -> None:
        app = build_app([str(TRACES / "persistent.json")])
        async with app.run_test(size=(120, 40)) as pilot:
            screen = _screen(app)
            await _step_to(pilot, screen, "Mul", 14)
            await pilot.press("b")
            text = screen.detail.plain
            assert screen.stepper is not None and screen.stepper.current is not None
            assert screen.stepper.current.kind == "backward"
            assert screen.source_view.current == 14
            assert "upstream ∂z/∂z2 = 1.0" in text
            assert "∂(a·b)/∂a = b = 3.0" in text
            assert "upstream × local = 1.0 × 3.0 = 3.0" in text
            assert "contribution to ∂z/∂y through this use of y\n    = 3.0  ✓ matches TF" in text

    asyncio.run(flow())


def test_the_sum_into_x_adds_both_contributions_of_x_times_x() -> None:
    async def flow() -> None:
        app = build_app([str(TRACES / "persistent.json")])
        async with app.run_test(size=(120, 40)) as pilot:
            screen = _screen(app)
            assert screen.stepper is not None
            for _ in range(len(screen.stepper.steps)):
                if "sum of gradients into x" in screen.detail.plain:
                    break
                await pilot.press("n")
            assert "4.0 + 4.0 = 8.0" in screen.detail.plain

    asyncio.run(flow())


def test_g_jumps_to_each_gradient_call_with_its_result() -> None:
    async def flow() -> None:
        app = build_app([str(TRACES / "persistent.json")])
        async with app.run_test(size=(120, 40)) as pilot:
            screen = _screen(app)
            await pilot.press("g")
            assert screen.source_view.current == 18
            assert "✓ x: 8.0" in screen.detail.plain
            await pilot.press("g")
            assert screen.source_view.current == 22
            assert "✓ y: 6.0" in screen.detail.plain

    asyncio.run(flow())


def test_why_for_y1_says_outside_tape_and_lights_its_evidence() -> None:
    async def flow() -> None:
        app = build_app([str(TRACES / "none_cases.json")])
        async with app.run_test(size=(120, 40)) as pilot:
            screen = _screen(app)
            await pilot.press("w")
            text = screen.why_pane.plain
            assert text.startswith("why is dy1/dx None?")
            assert "cause: outside_tape" in text
            assert screen.source_view.current_text.startswith("print(tape.gradient(y1, x))")
            assert 12 in screen.source_view.evidence  # y1 = x * x, before the tape
            assert "✗ dy1/dx = None  l.17  outside_tape" in screen.tapes_pane.plain

    asyncio.run(flow())


def test_overview_shows_the_loss_falling_and_enter_steps_into_a_tape() -> None:
    async def flow() -> None:
        app = build_app([str(TRACES / "linear_regression.json")])
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("v")
            overview = app.screen
            assert isinstance(overview, OverviewScreen)
            losses = [s.target for s in overview.summaries if s.target is not None]
            assert len(losses) == 100 and losses[-1] < losses[0] / 10
            await pilot.press("down", "down", "enter")
            screen = _screen(app)
            assert screen.stepper is not None and screen.stepper.current is not None
            assert screen.stepper.current.tape == 3
            assert "tape 3 of 100" in screen.tapes_pane.plain

    asyncio.run(flow())


def test_next_tape_key_moves_to_the_following_tape() -> None:
    async def flow() -> None:
        app = build_app([str(TRACES / "linear_regression.json")])
        async with app.run_test(size=(120, 40)) as pilot:
            screen = _screen(app)
            await pilot.press("home", "right_square_bracket", "right_square_bracket")
            assert screen.stepper is not None and screen.stepper.current is not None
            assert screen.stepper.current.tape == 2
            await pilot.press("left_square_bracket")
            assert screen.stepper.current.tape == 1

    asyncio.run(flow())


def test_a_scenario_that_raised_opens_on_its_error_with_the_scenarios_line() -> None:
    async def flow() -> None:
        app = build_app([str(TRACES / "raises.json")])
        async with app.run_test(size=(120, 40)) as pilot:
            screen = _screen(app)
            await pilot.pause()
            assert "raised InvalidArgumentError on line 9" in str(
                screen.query_one("#status").render()
            )
            assert screen.source_view.current == 9
            assert 'File "tests/ui/scenarios/raises.py", line 9' in screen.detail.plain

    asyncio.run(flow())


def test_an_op_inside_stop_recording_says_why_no_tape_recorded_it() -> None:
    async def flow() -> None:
        app = build_app([str(TRACES / "stop_recording.json")])
        async with app.run_test(size=(120, 40)) as pilot:
            screen = _screen(app)
            await _step_to(pilot, screen, "Abs", 13)
            assert "not recorded: tape 1 (tape) was inside stop_recording()" in screen.detail.plain

    asyncio.run(flow())


def test_the_command_palette_runs_debugger_commands() -> None:
    async def flow() -> None:
        app = build_app([str(TRACES / "none_cases.json")])
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("ctrl+p")
            await pilot.press(*"Why None")
            await pilot.pause(0.3)
            await pilot.press("enter")
            await pilot.pause()
            screen = _screen(app)
            assert "cause: outside_tape" in screen.why_pane.plain

    asyncio.run(flow())
