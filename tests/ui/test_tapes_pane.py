"""The tapes pane on recorded traces: how each source was watched, ignored or missed."""

from __future__ import annotations

from pathlib import Path

from tapetui.trace import load
from tapetui.ui.tapes import tapes_pane_lines
from tapetui.ui.why import explanations_for

TRACES = Path(__file__).resolve().parent / "traces"


def _pane(name: str) -> list[str]:
    trace = load(TRACES / f"{name}.json")
    return [text for text, _ in tapes_pane_lines(trace, explanations_for(trace), None)]


def test_variables_read_on_the_tape_are_watched_automatically() -> None:
    lines = _pane("persistent")
    assert "  ◉ x (auto, l.13)" in lines
    assert "  ◉ y (auto, l.14)" in lines
    assert "✓ dz/dx = 8.0  l.18" in lines


def test_a_frozen_variable_is_accessed_but_not_watched() -> None:
    lines = _pane("frozen_variable")
    assert "  ○ bias accessed, not watched (trainable=False)" in lines
    assert "✗ dy/d[w, bias] = 3.0, None  l.15  not_trainable" in lines


def test_watching_an_unbuilt_layer_watches_nothing() -> None:
    lines = _pane("unbuilt_layer_watch")
    assert "  watches accessed ✗ (off)" in lines
    assert "  watch([]) got nothing, l.14" in lines
    assert "  ○ a.kernel accessed, not watched" in lines


def test_a_scenario_without_tapes_says_so() -> None:
    assert _pane("no_tape") == ["no tape was created"]
