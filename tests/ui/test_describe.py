"""What the panes say about steps, tapes and tape summaries (plain Python, hand-built trace)."""

from __future__ import annotations

from tapetui.trace import Trace, ValueSummary
from tapetui.ui.describe import describe
from tapetui.ui.overview import series, summarize
from tapetui.ui.status import status_text
from tapetui.ui.steps import Stepper
from tapetui.ui.tapes import tapes_pane_lines
from tapetui.ui.why import missing_gradients, why_lines
from tests.ui.handmade import square_twice


def _text(trace: Trace, index: int) -> str:
    stepper = Stepper(trace)
    return "\n".join(t for t, _ in describe(trace, stepper.go(index), {}))


def test_forward_step_shows_inputs_outputs_and_the_recording_tape() -> None:
    text = _text(square_twice(), 1)
    assert "line 8  z = y * y" in text
    assert "in  y 9.0  float32 ()" in text
    assert "out z 81.0" in text
    assert "recorded by tape 1 (tape)" in text


def test_backward_step_shows_upstream_local_partial_and_product() -> None:
    text = _text(square_twice(), 4)  # backward of y = x * x, upstream 18
    assert "upstream ∂z/∂y = 18.0" in text
    assert "local ∂(x*x)/∂x: ∂(a·b)/∂a = b = 3.0" in text
    assert "upstream × local = 18.0 × 3.0 = 54.0" in text
    # x is used twice: each product is one contribution, never the whole ∂z/∂x
    assert "contribution to ∂z/∂x through this use of x\n    = 54.0  ✓ matches TF" in text
    assert "∂z/∂x = 54.0" not in text


def test_sum_step_adds_the_contributions_into_the_whole_partial() -> None:
    assert "∂z/∂x = 54.0 + 54.0 = 108.0" in _text(square_twice(), 5)


def test_gradient_call_step_lists_each_result() -> None:
    assert "✓ x: 108.0" in _text(square_twice(), 6)


def test_tapes_pane_lists_watches_and_calls() -> None:
    text = "\n".join(t for t, _ in tapes_pane_lines(square_twice(), {}, 1))
    assert "◉ x (explicit, l.6)" in text
    assert "✓ dz/dx = 108.0  l.9" in text
    assert "✓ dy/dx = 6.0  l.10" in text


def test_overview_series_hold_each_tapes_target_and_gradient_norm() -> None:
    assert series(summarize(square_twice())) == {"z": [81.0], "|∇x|": [108.0]}


def test_overview_takes_a_large_gradients_norm_from_its_summary() -> None:
    trace = square_twice()
    (call,) = [c for c in trace.gradient_calls.values() if c.target_ids and c.line == 9]
    result = trace.tensors[call.result_ids[0]]
    result.data, result.summary = None, ValueSummary(size=1000, preview=[0.1], norm=3.5)
    assert series(summarize(trace))["|∇x|"] == [3.5]


def test_a_trace_without_missing_gradients_says_so() -> None:
    trace = square_twice()
    missing = missing_gradients(trace, {})
    assert missing == []
    assert "every gradient call returned a value" in why_lines(trace, missing, 0)[0][0]


def test_status_of_a_scenario_that_raised_names_the_error_and_line() -> None:
    from tapetui.trace import ErrorInfo

    trace = square_twice()
    trace.status, trace.error = "raised", ErrorInfo("ValueError", "bad", "square_twice.py", 7)
    text, state = status_text(trace)
    assert text.startswith("square_twice.py raised ValueError on line 7")
    assert state == "-failed"
