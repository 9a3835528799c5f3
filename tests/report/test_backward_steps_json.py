"""``report --json`` lists each gradient call's backward steps with the chain rule checked."""

from __future__ import annotations

from tapetui.report.build import build_report
from tests.ui.handmade import square_twice


def _steps(call_id: int) -> list[dict]:
    report = build_report(square_twice())
    (call,) = [c for c in report["gradient_calls"] if c["id"] == call_id]
    return call["backward_steps"]


def test_each_input_of_each_backward_step_has_the_rule_the_product_and_tensorflows_value() -> None:
    steps = _steps(1)
    assert [(s["op"], s["line"], s["input"]) for s in steps] == [
        ("Mul", 8, "y"),
        ("Mul", 8, "y"),
        ("Mul", 7, "x"),
        ("Mul", 7, "x"),
    ]
    first = steps[0]
    assert first["upstream"] == 1.0
    assert first["local_rule"] == "∂(a·b)/∂a = b"
    assert first["product"] == 9.0 and first["tensorflow"] == 9.0
    assert {s["check"] for s in steps} == {"matches"}


def test_a_gradient_that_is_not_the_rules_product_is_checked_as_differs() -> None:
    trace = square_twice()
    trace.tensors[24].data = 50.0
    report = build_report(trace)
    checks = [s["check"] for s in report["gradient_calls"][0]["backward_steps"]]
    assert checks == ["matches", "matches", "differs", "matches"]


def test_an_op_without_a_rule_is_checked_as_no_rule() -> None:
    trace = square_twice()
    trace.ops[1].op_type = "Einsum"
    for event in trace.events:
        if getattr(event, "op", None) == 1:
            event.op_type = "Einsum"  # type: ignore[attr-defined]
    steps = build_report(trace)["gradient_calls"][1]["backward_steps"]
    assert [(s["op"], s["local_rule"], s["check"]) for s in steps] == [
        ("Einsum", None, "no_rule"),
        ("Einsum", None, "no_rule"),
    ]
