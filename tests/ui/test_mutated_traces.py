"""The debugger over damaged traces: whatever the loader accepts can be stepped through."""

from __future__ import annotations

import asyncio
import os
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tapetui.ui.app import TapeTuiApp
from tapetui.ui.screens.debugger import DebuggerScreen

from ..mutations import base, load_or_refuse, mutated

BASES = {name: base(name) for name in ("none_cases", "persistent", "raises")}
KEYS = [
    "n",
    "n",
    "b",
    "g",
    "w",
    "o",
    "End",
    "p",
    "[",
    "]",
    "G",
    "w",
    "s",
    "v",
    "Home",
    "question_mark",
]


async def _walk(app: TapeTuiApp) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, DebuggerScreen)
        for key in KEYS:
            await pilot.press(key)
        await pilot.pause()


@pytest.mark.parametrize("name", sorted(BASES))
@settings(
    max_examples=int(os.environ.get("TAPETUI_FUZZ_EXAMPLES", "8")),
    deadline=None,
    derandomize=os.environ.get("TAPETUI_FUZZ_EXAMPLES") is None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_a_damaged_trace_can_be_stepped_through(name: str, data: st.DataObject) -> None:
    damaged: dict[str, Any] = data.draw(mutated(BASES[name]))
    trace = load_or_refuse(damaged)
    if trace is None:
        return
    asyncio.run(_walk(TapeTuiApp(trace=trace)))
