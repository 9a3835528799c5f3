"""Characters that reorder or hide text (a right-to-left override, zero-width spaces, isolates) in
a trace's names and output reach the screen as their code points, never raw; and gradient values
near float64's largest do not break the overview's norms."""

from __future__ import annotations

import asyncio

from textual.pilot import Pilot

from tapetui.trace import OutputEvent, Trace
from tapetui.ui.app import TapeTuiApp
from tapetui.ui.screens.overview import OverviewScreen

from .handmade import square_twice
from .hostile import render, stray_controls

REVERSED = "lo\u202ess\u202c"
"""Reads ``loss`` in a terminal that obeys the override, though it is not."""
HIDDEN = "x\u200b"


def _invisible_trace() -> Trace:
    trace = square_twice()
    trace.tensors[10].name = HIDDEN
    trace.events[1].items[0].label = HIDDEN  # type: ignore[attr-defined]
    trace.tensors[12].name = REVERSED
    trace.tapes[1].label = "\u2066tape\u2069"
    trace.events.append(
        OutputEvent(seq=99, file=None, line=None, stream="stdout", text=f"{REVERSED}\ufeff\n")
    )
    return trace


async def _press(pilot: Pilot[int], *keys: str) -> str:
    for key in keys:
        await pilot.press(key)
        await pilot.pause()
        assert pilot.app.is_running, f"the app stopped after {key!r}"
    raw, text = render(pilot.app)
    assert stray_controls(raw) == []
    for character in "\u202e\u202c\u200b\u2066\u2069\ufeff":
        assert character not in raw
    return text


def test_reordering_and_zero_width_characters_show_as_code_points() -> None:
    async def flow() -> None:
        app = TapeTuiApp(trace=_invisible_trace())
        async with app.run_test(size=(120, 40)) as pilot:
            text = await _press(pilot, "g")
            assert "grad d lo<U+202E>ss<U+202C>/dx<U+200B>" in text  # the timeline
            assert "“<U+2066>tape<U+2069>”" in text and "◉ x<U+200B> (explicit," in text
            text = await _press(pilot, "o")
            assert "lo<U+202E>ss<U+202C><U+FEFF>" in text
            text = await _press(pilot, "v")
            assert isinstance(app.screen, OverviewScreen)
            assert "|∇x<U+200B>|" in text

    asyncio.run(flow())


def test_gradients_near_float64s_largest_have_a_norm_in_the_overview() -> None:
    trace = square_twice()
    big = trace.tensors[26]  # dz/dx
    big.dtype, big.shape, big.data = "float64", [2], [1e308, -1e308]

    async def flow() -> None:
        app = TapeTuiApp(trace=trace)
        async with app.run_test(size=(120, 40)) as pilot:
            text = await _press(pilot, "v")
            assert isinstance(app.screen, OverviewScreen)
            assert "z       81.0   1.414e+308" in text  # the table row of dz/dx

    asyncio.run(flow())
