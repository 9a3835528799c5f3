"""The app keeps users out of three crashes inside Textual 8.2.8 (palette at tiny sizes, keys panel).

Below ``TapeTuiApp.MIN_SIZE`` the app says ``terminal too small`` instead of showing its panes and
the command palette does not open; the palette's "Keys" shows tapetui's own help, not Textual's
keys panel. Each test below crashed the app before these guards.
"""

from __future__ import annotations

import asyncio

from textual import events
from textual.widgets._key_panel import KeyPanel

from tapetui.ui.app import TapeTuiApp
from tapetui.ui.screens.debugger import DebuggerScreen
from tapetui.ui.screens.help import HelpScreen
from tapetui.ui.screens.too_small import TooSmallScreen
from tests.ui.handmade import square_twice


def app() -> TapeTuiApp:
    return TapeTuiApp(trace=square_twice(), warm=False)


def test_palette_pagedown_on_a_4_row_terminal_shows_too_small_instead_of_crashing() -> None:
    async def flow() -> None:
        tapetui = app()
        async with tapetui.run_test(size=(80, 4)) as pilot:
            await pilot.press("ctrl+p")
            await pilot.pause()
            await pilot.press("pagedown", "pagedown")
            await pilot.pause()
            screen = tapetui.screen
            assert isinstance(screen, TooSmallScreen)
            assert screen.message == "terminal too small (needs 20×10)"

    asyncio.run(flow())


def test_typing_into_the_palette_at_6_columns_does_not_crash() -> None:
    async def flow() -> None:
        tapetui = app()
        async with tapetui.run_test(size=(6, 24)) as pilot:
            await pilot.press("ctrl+p")
            await pilot.pause()
            await pilot.press("n", "e", "x")
            await pilot.pause(0.3)
            shown = tapetui.screen
        assert isinstance(shown, TooSmallScreen)  # after the app closed without an error

    asyncio.run(flow())


def test_shrinking_the_terminal_closes_an_open_palette_and_growing_shows_the_panes() -> None:
    async def flow() -> None:
        tapetui = app()
        async with tapetui.run_test(size=(80, 24)) as pilot:
            await pilot.press("ctrl+p")
            await pilot.pause()
            await pilot.resize_terminal(6, 4)
            await pilot.pause()
            await pilot.press("a", "pagedown")
            await pilot.pause(0.3)
            assert isinstance(tapetui.screen, TooSmallScreen)
            await pilot.resize_terminal(80, 24)
            await pilot.pause()
            screen = tapetui.screen
            assert isinstance(screen, DebuggerScreen)
            assert screen.source_view.current == 7  # where it stood

    asyncio.run(flow())


def test_q_quits_from_too_small() -> None:
    async def flow() -> None:
        tapetui = app()
        async with tapetui.run_test(size=(19, 24)) as pilot:
            await pilot.press("q")
            await pilot.pause()
            assert not tapetui.is_running

    asyncio.run(flow())


def test_a_click_on_the_keys_right_after_they_change_does_not_crash() -> None:
    """Textual's keys panel rebuilds its table whenever the keys change; a mouse press landing in
    the moment before the next repaint reached the removed table and crashed the app."""

    async def flow() -> None:
        tapetui = app()
        async with tapetui.run_test(size=(120, 40)) as pilot:
            tapetui.action_show_help_panel()  # the palette's "Keys"
            await pilot.pause()
            shown = tapetui.screen
            for panel in tapetui.screen.query(KeyPanel):  # what a change of keys does
                await panel.recompose()
            at = {"x": 100, "y": 5, "screen_x": 100, "screen_y": 5}
            press = events.MouseDown(
                None, delta_x=0, delta_y=0, button=1, shift=False, meta=False, ctrl=False, **at
            )
            tapetui.screen._forward_event(press)  # as the driver sends it: no pause first
            await pilot.pause()
            assert tapetui.is_running
            assert isinstance(shown, HelpScreen)  # tapetui's own list of keys

    asyncio.run(flow())


def test_the_palettes_keys_command_opens_tapetuis_help() -> None:
    async def flow() -> None:
        tapetui = app()
        async with tapetui.run_test(size=(120, 40)) as pilot:
            await pilot.press("ctrl+p", *"Keys")
            await pilot.pause(0.3)
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(tapetui.screen, HelpScreen)
            assert not tapetui.screen.query(KeyPanel)
            assert ("n", "next step: forward op, backward step or gradient call") in (
                tapetui.screen.keys
            )

    asyncio.run(flow())
