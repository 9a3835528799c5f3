"""Clicks where a person would click: source lines, timeline steps, tapes and gradient calls."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tapetui.ui import build_app
from tapetui.ui.app import TapeTuiApp
from tapetui.ui.screens.debugger import DebuggerScreen
from tapetui.ui.values import step_name
from tapetui.ui.widgets.timeline import Timeline

TRACES = Path(__file__).resolve().parent / "traces"


def _screen(app: TapeTuiApp) -> DebuggerScreen:
    screen = app.screen
    assert isinstance(screen, DebuggerScreen)
    return screen


def _here(screen: DebuggerScreen) -> tuple[int, str, int | None]:
    assert screen.trace is not None and screen.stepper is not None
    step = screen.stepper.current
    assert step is not None
    return step.index + 1, step_name(screen.trace, step), step.line


def _row_of(rows: list[str], start: str) -> int:
    return next(y for y, row in enumerate(rows) if row.lstrip().startswith(start))


def test_clicking_a_source_line_goes_to_its_ops_one_by_one() -> None:
    async def flow() -> None:
        app = build_app([str(TRACES / "persistent.json")])
        async with app.run_test(size=(160, 40)) as pilot:
            screen = _screen(app)
            await pilot.pause()
            view = screen.source_view
            y = _row_of(view.screen_lines(), "14")  # z2 = y * y
            # the pane's border is row 0 and column 0: its content starts at (1, 1)
            await pilot.click("#source", offset=(12, y + 1))
            assert _here(screen) == (6, "ReadVariableOp", 14)
            await pilot.click("#source", offset=(12, y + 1))
            assert _here(screen) == (7, "ReadVariableOp", 14)
            await pilot.click("#source", offset=(12, y + 1))
            assert _here(screen) == (8, "Mul", 14)
            assert screen.source_view.current_text.strip() == "z2 = y * y"

    asyncio.run(flow())


def test_clicking_a_timeline_step_goes_to_it() -> None:
    async def flow() -> None:
        app = build_app([str(TRACES / "persistent.json")])
        async with app.run_test(size=(160, 40)) as pilot:
            screen = _screen(app)
            await pilot.pause()
            timeline = app.query_one(Timeline)
            start, _, index = next(span for span in timeline.spans if span[2] == 8)
            assert index == 8
            # the strip's top border is row 0; its steps are on row 1
            await pilot.click(Timeline, offset=(start + 1, 1))
            assert _here(screen) == (9, "AddV2", 15)

    asyncio.run(flow())


def test_clicking_a_gradient_call_in_the_tapes_pane_selects_it() -> None:
    async def flow() -> None:
        app = build_app([str(TRACES / "persistent.json")])
        async with app.run_test(size=(160, 40)) as pilot:
            screen = _screen(app)
            await pilot.pause()
            rows = screen.tapes_pane.plain.splitlines()
            y = _row_of(rows, "✓ dz/dy")
            await pilot.click("#tapes", offset=(4, y + 1))
            assert _here(screen) == (27, "grad dz/dy", 22)
            assert screen.switcher.current == "detail"

    asyncio.run(flow())


def test_clicking_a_none_result_opens_its_why() -> None:
    async def flow() -> None:
        app = build_app([str(TRACES / "none_cases.json")])
        async with app.run_test(size=(160, 40)) as pilot:
            screen = _screen(app)
            await pilot.pause()
            rows = screen.tapes_pane.plain.splitlines()
            y = next(y for y, row in enumerate(rows) if row.startswith("✗"))
            await pilot.click("#tapes", offset=(4, y + 1))
            await pilot.pause()
            assert screen.switcher.current == "why"
            step = screen.stepper.current if screen.stepper else None
            assert step is not None and step.kind == "gradient"
            assert screen.missing and screen.missing[screen.why_position].call == step.event.call  # type: ignore[attr-defined]

    asyncio.run(flow())


def test_clicking_a_tape_goes_to_its_first_step() -> None:
    async def flow() -> None:
        app = build_app([str(TRACES / "persistent.json")])
        async with app.run_test(size=(160, 40)) as pilot:
            screen = _screen(app)
            await pilot.press("end")
            await pilot.click("#tapes", offset=(4, 1))  # ▾ tape 1 · l.12
            assert screen.stepper is not None and screen.stepper.index == 2
            assert _here(screen) == (3, "ReadVariableOp", 13)

    asyncio.run(flow())
