"""Small terminals: Help and Quit stay on the key bar; under 72 columns one pane at a time."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tapetui.ui import build_app
from tapetui.ui.screens.debugger import DebuggerScreen
from tapetui.ui.widgets.key_bar import KeyBar

TRACES = Path(__file__).resolve().parent / "traces"


def _bar(app: object) -> str:
    return app.screen.query_one(KeyBar).render().plain  # type: ignore[attr-defined]


def _visible(screen: DebuggerScreen) -> list[str]:
    return [p for p in ("tapes", "source", "right") if screen.query_one(f"#{p}").display]


def test_at_80x24_the_bar_keeps_help_and_quit_and_shows_f_after_a_search() -> None:
    async def flow() -> None:
        app = build_app([str(TRACES / "persistent.json")])
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            bar = _bar(app)
            assert len(bar) == 80
            assert " ? Help  q Quit " in bar and bar.endswith("▏^p palette ")
            assert bar.startswith(" n Next  p Prev  b Bwd  g Grad  w Why  o Out ")
            assert " f Again " not in bar
            await pilot.press("slash", *"AddV2", "enter")
            await pilot.pause()
            assert " f Again " not in _bar(app)  # no room at 80 columns: it stays a key
            await pilot.press("home", "f")
            screen = app.screen
            assert isinstance(screen, DebuggerScreen) and screen.stepper is not None
            assert screen.stepper.index == 8

    asyncio.run(flow())


def test_the_f_key_joins_a_wide_bar_after_the_first_search() -> None:
    async def flow() -> None:
        app = build_app([str(TRACES / "persistent.json")])
        async with app.run_test(size=(140, 30)) as pilot:
            await pilot.pause()
            assert " f Again " not in _bar(app)
            await pilot.press("slash", *"Mul", "enter")
            await pilot.pause()
            assert " / Find  f Again  : Line " in _bar(app)

    asyncio.run(flow())


def test_at_60x20_one_pane_at_a_time_and_x_switches() -> None:
    async def flow() -> None:
        app = build_app([str(TRACES / "persistent.json")])
        async with app.run_test(size=(60, 20)) as pilot:
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, DebuggerScreen)
            assert _visible(screen) == ["source"]
            assert screen.source_view.size.width > 50  # the whole width, not 16 columns
            assert _bar(app).startswith(" x Pane ")
            await pilot.press("x")
            assert _visible(screen) == ["right"]
            assert "recorded by tape 1" in screen.detail.plain
            await pilot.press("x")
            assert _visible(screen) == ["tapes"]
            await pilot.press("o")  # the output is in the right-hand pane: it is shown
            await pilot.pause()
            assert _visible(screen) == ["right"] and screen.switcher.current == "output"
            await pilot.resize_terminal(120, 40)
            await pilot.pause()
            assert _visible(screen) == ["tapes", "source", "right"]
            assert not _bar(app).startswith(" x Pane ")

    asyncio.run(flow())
