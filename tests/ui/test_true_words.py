"""What the panes say never contradicts the trace: counts, calls listed, what was watched."""

from __future__ import annotations

from tapetui.trace import ErrorInfo, Trace
from tapetui.ui.overview import series, summarize, title
from tapetui.ui.tapes import tapes_pane_lines
from tapetui.ui.why import missing_gradients, why_lines
from tests.ui.handmade import square_twice


def test_the_overview_lists_both_calls_of_a_persistent_tape_by_their_targets_names() -> None:
    rows = summarize(square_twice())
    assert [(r.tape, r.line, r.target_name, r.target) for r in rows] == [
        (1, 9, "z", 81.0),
        (1, 10, "y", 9.0),
    ]
    assert [r.norms for r in rows] == [{"x": 108.0}, {"x": 6.0}]


def test_the_overview_counts_one_tape_in_the_singular() -> None:
    assert title(summarize(square_twice())) == "1 tape, 2 gradient calls"


def test_the_overviews_series_are_named_by_the_target() -> None:
    assert series(summarize(square_twice())) == {"z": [81.0], "|∇x|": [108.0]}


def _raised_before_any_call() -> Trace:
    trace = square_twice()
    trace.gradient_calls = {}
    trace.events = [e for e in trace.events if not hasattr(e, "call")]
    trace.reindex()
    trace.status = "raised"
    trace.error = ErrorInfo("ValueError", "bad input", trace.scenario, 8)
    return trace


def test_why_says_no_gradient_call_ran_when_the_scenario_raised_first() -> None:
    trace = _raised_before_any_call()
    (text,) = [t for t, _ in why_lines(trace, missing_gradients(trace, {}), 0)]
    assert text == (
        "no gradient call ran: the scenario raised ValueError on line 8 before any, "
        "so there is no gradient to explain"
    )
    assert "every gradient call returned" not in text


def test_an_integer_source_listed_as_watched_in_an_older_trace_shows_as_not_recorded() -> None:
    trace = square_twice()
    trace.tensors[10].dtype = "int32"
    lines = [t for t, _ in tapes_pane_lines(trace, {}, 1)]
    assert "  ○ x ignored, l.6: int32 is not a floating-point dtype" in lines
    assert not any(t.startswith("  ◉ x") for t in lines)
