"""The key bar is built once the screen's keys are known, not again for each start-up signal."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from tapetui.ui.app import TapeTuiApp
from tapetui.ui.widgets.keys_footer import KeysFooter
from tests.ui.handmade import square_twice


def test_the_key_bar_shows_the_debuggers_keys_built_once(monkeypatch: pytest.MonkeyPatch) -> None:
    builds: list[int] = []

    def compose(self: Footer) -> Any:
        widgets = list(Footer.compose(self))
        if widgets:
            builds.append(len(widgets))
        yield from widgets

    monkeypatch.setattr(KeysFooter, "compose", compose)

    async def flow() -> list[str]:
        app = TapeTuiApp(trace=square_twice(), warm=False)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            await pilot.pause(0.2)
            return [k.key for k in app.screen.query_one(KeysFooter).query(FooterKey)]

    shown = asyncio.run(flow())
    assert shown[:3] == ["n", "p", "b"]
    assert len(builds) == 1  # Textual's Footer builds them three times as the screen starts
