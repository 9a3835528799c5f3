"""Where the debugger opens, and searching and jumping: ``/``, ``f``, ``F``, ``:`` (pilot flows)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from textual.pilot import Pilot

from tapetui.trace import load
from tapetui.ui import build_app
from tapetui.ui.app import TapeTuiApp
from tapetui.ui.jump import line_step, search, start_index
from tapetui.ui.screens.ask import AskScreen
from tapetui.ui.screens.debugger import DebuggerScreen
from tapetui.ui.steps import build_steps
from tapetui.ui.values import step_name

TRACES = Path(__file__).resolve().parent / "traces"


def _screen(app: TapeTuiApp) -> DebuggerScreen:
    screen = app.screen
    assert isinstance(screen, DebuggerScreen)
    return screen


def _here(screen: DebuggerScreen) -> tuple[int, str, int | None]:
    """The current step: its number (1-based), name and line, as the detail pane titles it."""
    assert screen.trace is not None and screen.stepper is not None
    step = screen.stepper.current
    assert step is not None
    return step.index + 1, step_name(screen.trace, step), step.line


async def _type(pilot: Pilot[int], key: str, text: str) -> None:
    await pilot.press(key)
    await pilot.pause()
    assert isinstance(pilot.app.screen, AskScreen)
    await pilot.press(*text, "enter")
    await pilot.pause()


def test_the_first_screen_is_the_first_op_a_tape_recorded() -> None:
    async def flow() -> None:
        app = build_app([str(TRACES / "persistent.json")])
        async with app.run_test(size=(160, 40)) as pilot:
            await pilot.pause()
            screen = _screen(app)
            # steps 1 and 2 create x and y, before the tape: the screen opens on x's read at l.13
            assert _here(screen) == (3, "ReadVariableOp", 13)
            assert screen.detail.border_title is not None
            assert str(screen.detail.border_title).startswith("step 3/27 · ReadVariableOp")
            assert "recorded by tape 1" in screen.detail.plain
            status = str(screen.query_one("#status").content)
            assert "opened at step 3/27 · 2 steps before the first tape (home: step 1)" in status
            assert screen.source_view.current_text.strip() == "z1 = x * x"
            await pilot.press("home")
            assert _here(screen) == (1, "AssignVariableOp", 9)

    asyncio.run(flow())


def test_where_each_test_trace_opens() -> None:
    opened = {}
    for name in ("persistent", "basic", "none_cases", "no_tape"):
        steps = build_steps(load(TRACES / f"{name}.json"))
        opened[name] = start_index(steps)
        step = steps[opened[name]]
        if name != "no_tape":
            assert step.kind == "forward" and step.event.recorded_by  # type: ignore[attr-defined]
    assert opened["persistent"] == 2 and opened["no_tape"] == 0


def test_slash_finds_by_op_type_then_f_and_shift_f_repeat() -> None:
    async def flow() -> None:
        app = build_app([str(TRACES / "persistent.json")])
        async with app.run_test(size=(160, 40)) as pilot:
            screen = _screen(app)
            await _type(pilot, "slash", "Mul")
            assert isinstance(app.screen, DebuggerScreen)
            assert _here(screen) == (5, "Mul", 13)
            await pilot.press("f")
            assert _here(screen) == (8, "Mul", 14)
            await pilot.press("f")
            assert _here(screen) == (11, "∂Mul", 13)  # backward steps of Mul match too
            await pilot.press("F")
            assert _here(screen) == (8, "Mul", 14)
            assert screen.source_view.current_text.strip() == "z2 = y * y"

    asyncio.run(flow())


def test_slash_finds_a_tensor_name_and_a_line() -> None:
    async def flow() -> None:
        app = build_app([str(TRACES / "persistent.json")])
        async with app.run_test(size=(160, 40)) as pilot:
            screen = _screen(app)
            await _type(pilot, "slash", "z2")
            assert _here(screen) == (8, "Mul", 14)  # the op whose output is z2
            await _type(pilot, "slash", "15")
            assert _here(screen) == (9, "AddV2", 15)
            await _type(pilot, "slash", "nothing_is_called_this")
            assert _here(screen) == (9, "AddV2", 15)  # no match: the cursor stays

    asyncio.run(flow())


def test_colon_goes_to_a_lines_first_step() -> None:
    async def flow() -> None:
        app = build_app([str(TRACES / "persistent.json")])
        async with app.run_test(size=(160, 40)) as pilot:
            screen = _screen(app)
            await _type(pilot, "colon", "22")
            assert _here(screen) == (27, "grad dz/dy", 22)
            assert "tape.gradient(z, y)" in screen.source_view.current_text
            await _type(pilot, "colon", "14")
            assert _here(screen) == (6, "ReadVariableOp", 14)
            await _type(pilot, "colon", "3")  # a docstring line: nothing ran there
            assert _here(screen) == (6, "ReadVariableOp", 14)

    asyncio.run(flow())


def test_escape_closes_the_question_without_moving() -> None:
    async def flow() -> None:
        app = build_app([str(TRACES / "persistent.json")])
        async with app.run_test(size=(160, 40)) as pilot:
            screen = _screen(app)
            await pilot.press("slash", "M", "u", "l", "escape")
            await pilot.pause()
            assert app.screen is screen and _here(screen) == (3, "ReadVariableOp", 13)

    asyncio.run(flow())


def test_search_and_line_in_plain_python() -> None:
    trace = load(TRACES / "persistent.json")
    steps = build_steps(trace)
    assert search(trace, steps, "AddV2", 0) == 8
    assert search(trace, steps, "addv2", 8) == 9  # case-insensitive; ∂AddV2 next
    assert search(trace, steps, "Mul", 4, forward=False) == 20  # wraps round backwards
    assert search(trace, steps, "  ", 0) is None
    assert line_step(steps, 13, trace.scenario) == 2
    assert line_step(steps, 13, trace.scenario, after=2) == 3
    assert line_step(steps, 13, trace.scenario, after=22) == 2  # wraps to the first


def test_search_and_go_to_line_are_in_the_command_palette() -> None:
    async def flow() -> None:
        app = build_app([str(TRACES / "persistent.json")])
        async with app.run_test(size=(160, 40)) as pilot:
            screen = _screen(app)
            await pilot.press("ctrl+p")
            await pilot.pause()
            await pilot.press(*"Go to line")
            await pilot.pause(0.3)
            await pilot.press("enter")
            await pilot.pause(0.3)
            assert isinstance(app.screen, AskScreen)
            await pilot.press(*"18", "enter")
            await pilot.pause()
            assert _here(screen) == (18, "grad dz/dx", 18)
            await pilot.press("ctrl+p")
            await pilot.pause()
            await pilot.press(*"Search steps")
            await pilot.pause(0.3)
            await pilot.press("enter")
            await pilot.pause(0.3)
            assert isinstance(app.screen, AskScreen)
            await pilot.press(*"dz/dy", "enter")
            await pilot.pause()
            assert _here(screen) == (27, "grad dz/dy", 22)

    asyncio.run(flow())
