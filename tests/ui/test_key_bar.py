"""The key bar: in the first paint, one line like Textual's Footer, keys that click and explain."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from textual.app import App
from textual.command import CommandPalette
from textual.screen import Screen

from tapetui.ui.app import TapeTuiApp
from tapetui.ui.screens.debugger import DebuggerScreen
from tapetui.ui.screens.overview import OverviewScreen
from tapetui.ui.widgets.key_bar import KeyBar
from tests.ui.handmade import square_twice

DEBUGGER_KEYS = (
    " n Next  p Prev  b Bwd  g Grad  w Why  o Out  d Graph  v Tapes  / Find  : Line  r Rerun "
    " ? Help  q Quit "
)


def bar_text(screen: Screen[Any]) -> str:
    return screen.query_one(KeyBar).render().plain


def test_the_first_paint_of_the_debugger_has_its_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    at_first_paint: list[str] = []
    display = App._display

    def first_paint(self: App[Any], screen: Screen[Any], renderable: Any) -> None:
        if renderable is not None and not at_first_paint:
            at_first_paint.append(bar_text(screen))
        display(self, screen, renderable)

    monkeypatch.setattr(App, "_display", first_paint)

    async def flow() -> None:
        app = TapeTuiApp(trace=square_twice(), warm=False)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()

    asyncio.run(flow())
    assert at_first_paint[0].startswith(DEBUGGER_KEYS)
    assert at_first_paint[0].endswith("▏^p palette ")
    assert len(at_first_paint[0]) == 120


def test_a_narrow_terminal_keeps_help_quit_and_the_palette_and_the_keys_that_fit() -> None:
    async def flow() -> str:
        app = TapeTuiApp(trace=square_twice(), warm=False)
        async with app.run_test(size=(60, 24)) as pilot:
            await pilot.pause()
            return bar_text(app.screen)

    text = asyncio.run(flow())
    assert text == " x Pane  n Next  p Prev  b Bwd  ? Help  q Quit  ▏^p palette "


def test_clicking_a_key_presses_it() -> None:
    async def flow() -> None:
        app = TapeTuiApp(trace=square_twice(), warm=False)
        async with app.run_test(size=(120, 40)) as pilot:
            screen = app.screen
            assert isinstance(screen, DebuggerScreen) and screen.stepper is not None
            await pilot.click(KeyBar, offset=(DEBUGGER_KEYS.index("Next"), 0))
            assert screen.stepper.index == 1
            await pilot.click(KeyBar, offset=(DEBUGGER_KEYS.index(" v "), 0))
            assert isinstance(app.screen, OverviewScreen)
            assert bar_text(app.screen).startswith(" esc Back  q Quit ")
            await pilot.click(KeyBar, offset=(117, 0))
            assert isinstance(app.screen, CommandPalette)

    asyncio.run(flow())


def test_hovering_a_key_shows_what_it_does() -> None:
    async def flow() -> None:
        app = TapeTuiApp(trace=square_twice(), warm=False)
        async with app.run_test(size=(120, 40)) as pilot:
            bar = app.screen.query_one(KeyBar)
            await pilot.hover(KeyBar, offset=(DEBUGGER_KEYS.index("Rerun"), 0))
            assert bar.tooltip == "record the scenario again (after you edit it)"
            await pilot.hover(KeyBar, offset=(105, 0))  # between the keys and the palette's
            assert bar.tooltip is None

    asyncio.run(flow())


def test_in_a_narrow_terminal_a_click_on_the_palette_key_opens_the_palette() -> None:
    async def flow() -> None:
        app = TapeTuiApp(trace=square_twice(), warm=False)
        async with app.run_test(size=(60, 24)) as pilot:
            await pilot.click(KeyBar, offset=(49, 0))  # where " v Tapes " would have gone on
            assert isinstance(app.screen, CommandPalette)

    asyncio.run(flow())
