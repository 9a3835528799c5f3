"""``r`` with the graph open: the graph draws the new recording's gradient call, or closes when
the scenario no longer asks for it (the recording child is replaced by traces made here)."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Iterator
from pathlib import Path

import pytest

from tapetui.trace import Trace, load
from tapetui.ui.app import TapeTuiApp
from tapetui.ui.rerecord import call_place, find_call
from tapetui.ui.scenarios import discover
from tapetui.ui.screens.debugger import DebuggerScreen
from tapetui.ui.widgets.graph import GraphView

TRACES = Path(__file__).resolve().parent / "traces"
SIZE = (120, 40)


def _recorded_in_turn(monkeypatch: pytest.MonkeyPatch, traces: list[Trace]) -> None:
    """Each recording the debugger starts gives the next of ``traces``."""
    import tapetui.record.process

    given: Iterator[Trace] = iter(traces)
    monkeypatch.setattr(tapetui.record.process, "record", lambda *_, **__: next(given))


def _root_line(view: GraphView) -> str:
    return view.root.children[0].label.plain


async def _until_ready(pilot: object, screen: DebuggerScreen) -> None:
    for _ in range(200):
        await pilot.pause(0.05)  # type: ignore[attr-defined]
        if screen.ready:
            break
    await pilot.pause()  # type: ignore[attr-defined]


def _run(tmp_path: Path, first: Trace, then: Trace) -> tuple[DebuggerScreen, str, str | None]:
    """Open the graph of the first gradient call, press ``r``: the screen, the graph's first
    line before, and after (``None`` once the graph is closed)."""
    scenario = tmp_path / "persistent.py"
    scenario.write_text("", encoding="utf-8")

    async def flow() -> tuple[DebuggerScreen, str, str | None]:
        app = TapeTuiApp(scenarios=discover([str(scenario)]), warm=False)
        app.at_gradient = True
        async with app.run_test(size=SIZE) as pilot:
            screen = app.screen
            assert isinstance(screen, DebuggerScreen)
            await _until_ready(pilot, screen)
            await pilot.press("d")
            view = screen.graph_view
            assert view is not None
            before = _root_line(view)
            await pilot.press("r")
            await _until_ready(pilot, screen)
            assert screen.trace is then
            view = screen.graph_view
            if view is None:
                assert screen.tapes_pane.display
                return screen, before, None
            assert view.graph.trace is then and view.has_focus
            assert view.border_title is not None and "dz/dx · call 1" in str(view.border_title)
            return screen, before, _root_line(view)

    return asyncio.run(flow())


def test_r_with_the_graph_open_draws_the_new_recording(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = load(TRACES / "persistent.json")
    then = copy.deepcopy(first)
    then.tensors[15].data = 26.0  # z = z1 + z2 came out otherwise this time
    _recorded_in_turn(monkeypatch, [first, then])
    _, before, after = _run(tmp_path, first, then)
    assert before.startswith("z · AddV2 · l.15 = 25.0")
    assert after is not None and after.startswith("z · AddV2 · l.15 = 26.0")


def test_r_closes_the_graph_of_a_call_the_scenario_no_longer_asks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = load(TRACES / "persistent.json")
    then = load(TRACES / "basic.json")  # another scenario: no dz/dx on line 18
    _recorded_in_turn(monkeypatch, [first, then])
    _, before, after = _run(tmp_path, first, then)
    assert before.startswith("z · AddV2 · l.15 = 25.0") and after is None


def test_a_call_is_found_again_by_its_line_and_names_or_by_names_when_it_moved() -> None:
    before = load(TRACES / "persistent.json")
    after = copy.deepcopy(before)
    after.gradient_calls[2].line = 30  # lines were inserted above the second call
    first, second = call_place(before, 1), call_place(before, 2)
    assert first is not None and second is not None
    assert (second.line, second.name) == (22, "dz/dy")
    assert find_call(first, after) == 1 and find_call(second, after) == 2
    assert find_call(first, load(TRACES / "basic.json")) is None
