"""A large gradient in the JSON report: its summary, with the norm a training loop watches."""

from __future__ import annotations

from tapetui.report.build import build_report
from tapetui.trace import ValueSummary
from tests.ui.handmade import square_twice


def test_a_large_gradient_is_reported_with_its_summary_and_norm() -> None:
    trace = square_twice()
    (call,) = [c for c in trace.gradient_calls.values() if c.line == 9]
    result = trace.tensors[call.result_ids[0]]
    result.data = None
    result.summary = ValueSummary(size=1000, preview=[0.1], min=-1.0, max=2.0, mean=0.5, norm=3.5)
    (reported,) = [c for c in build_report(trace)["gradient_calls"] if c["line"] == 9]
    summary = reported["results"][0]["summary"]
    assert (summary["size"], summary["norm"], summary["max"]) == (1000, 3.5, 2.0)
