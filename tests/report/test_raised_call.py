"""A gradient call that raised returned nothing: its error is shown, never a result line."""

from __future__ import annotations

from tapetui.report.build import build_report
from tapetui.report.text import render_text
from tapetui.trace import ErrorInfo, Trace
from tapetui.ui.describe import describe
from tapetui.ui.steps import GRADIENT, Stepper
from tapetui.ui.tapes import tapes_pane_lines
from tests.ui.handmade import square_twice

MESSAGE = "A non-persistent GradientTape can only be used to compute one set of gradients"


def _second_call_raised() -> Trace:
    """The hand-built trace with its second call raising, as a non-persistent tape's does."""
    trace = square_twice()
    call = trace.gradient_calls[2]
    call.error = ErrorInfo("RuntimeError", MESSAGE, call.file, call.line)
    call.result_ids = [None]
    call.results = None
    return trace


def test_the_json_of_a_call_that_raised_has_its_error_and_no_results() -> None:
    (first, second) = build_report(_second_call_raised())["gradient_calls"]
    assert second["error"]["type"] == "RuntimeError"
    assert second["results"] == []
    assert first["results"][0]["value"] == 108.0


def test_the_text_report_prints_no_result_line_under_a_call_that_raised() -> None:
    text = render_text(_second_call_raised())
    after = text.split("gradient call 2", 1)[1]
    assert f"✗ raised RuntimeError: {MESSAGE}" in after
    assert "dy/dx = None" not in after and "✓" not in after


def test_the_tapes_pane_shows_a_cross_and_the_error_for_a_call_that_raised() -> None:
    lines = [t for t, _ in tapes_pane_lines(_second_call_raised(), {}, 1)]
    (row,) = [t for t in lines if "dy/dx" in t]
    assert row.startswith("✗ dy/dx raised RuntimeError")
    assert any(t.strip().startswith("A non-persistent GradientTape") for t in lines)


def test_the_step_pane_of_a_call_that_raised_lists_no_result() -> None:
    trace = _second_call_raised()
    stepper = Stepper(trace)
    step = [s for s in stepper.steps if s.kind == GRADIENT][1]
    text = "\n".join(t for t, _ in describe(trace, step, {}))
    assert "raised RuntimeError" in text
    assert "x: None" not in text
