"""On real recordings: intermediates read as expressions, and each backward partial as the part
of the chain rule it is (``∂y/∂(x*x*x)``, never the whole ``∂y/∂x`` on one contribution)."""

from __future__ import annotations

import json

from tapetui.record import record
from tapetui.report.build import render_json
from tapetui.trace import BackwardStepEvent, GradientSumEvent, OpEvent, Trace
from tapetui.trace.labels import label
from tapetui.ui.describe import describe
from tapetui.ui.steps import Stepper
from tests.record.conftest import ROOT, Run

POWER = "gradient_inside_context.py"
"""``x = tf.constant(3.0)``, watched; ``y = x * x * x * x``; dy/dx = 108.0."""


def _forward_outputs(trace: Trace) -> list[str]:
    ops = [e for e in trace.events if type(e) is OpEvent and not e.backward]
    return [label(trace, ref) for op in ops if op.op_type != "ReadVariableOp" for ref in op.outputs]


def _pane(trace: Trace, kind: type) -> list[str]:
    """The step pane's text of every step of one kind, in order."""
    stepper = Stepper(trace)
    return [
        "\n".join(text for text, _ in describe(trace, step, {}))
        for step in stepper.steps
        if isinstance(step.event, kind)
    ]


def test_the_power_chains_intermediates_are_named_by_their_expressions(
    runs: dict[str, Run],
) -> None:
    assert _forward_outputs(runs[POWER].trace) == ["x*x", "x*x*x", "y"]


def test_each_backward_step_of_the_power_chain_names_its_partials(runs: dict[str, Run]) -> None:
    last, middle, first = _pane(runs[POWER].trace, BackwardStepEvent)
    assert "upstream ∂y/∂y = 1.0" in last
    assert "∂y/∂(x*x*x) = 3.0  ✓ matches TF" in last
    assert "upstream ∂y/∂(x*x*x) = 3.0" in middle
    assert "local ∂(x*x*x)/∂(x*x)\n    = ∂(a·b)/∂a = b = 3.0" in middle  # too long for one line
    assert "local ∂(x*x*x)/∂x: ∂(a·b)/∂b = a = 9.0" in middle
    assert "∂y/∂(x*x) = 9.0  ✓ matches TF" in middle
    assert "upstream ∂y/∂(x*x) = 9.0" in first
    contribution = "contribution to ∂y/∂x through this use of x\n    = 27.0  ✓ matches TF"
    assert [text.count(contribution) for text in (last, middle, first)] == [1, 1, 2]
    assert not any("∂y/∂x = 27.0" in text for text in (last, middle, first))


def test_the_sum_of_the_contributions_is_the_whole_partial(runs: dict[str, Run]) -> None:
    (total,) = _pane(runs[POWER].trace, GradientSumEvent)
    assert "∂y/∂x = 27.0 + 27.0 + 27.0 + 27.0 = 108.0" in total


def test_persistent_keeps_the_scenarios_own_names(runs: dict[str, Run]) -> None:
    trace = runs["persistent.py"].trace
    assert _forward_outputs(trace) == ["z1", "z2", "z"]
    add = _pane(trace, BackwardStepEvent)[0]
    assert "input 0 (a): z1" in add and "input 1 (b): z2" in add
    assert "local ∂(z1 + z2)/∂z1\n    = ∂(a+b)/∂a = 1 = 1.0" in add
    assert "∂z/∂z1 = 1.0  ✓ matches TF" in add  # z1 is used once: this is all of ∂z/∂z1


def test_the_report_names_the_partials_of_each_backward_step(runs: dict[str, Run]) -> None:
    text = render_json(runs[POWER].trace)
    assert "Mul:0" not in text
    steps = json.loads(text)["gradient_calls"][0]["backward_steps"]
    named = [
        (s["input"], s["upstream_partial"], s["local_partial"], s["gradient_partial"])
        for s in steps
    ]
    use = "contribution to ∂y/∂x through this use of x"
    assert named == [
        ("x*x*x", "∂y/∂y", "∂(x*x*x*x)/∂(x*x*x)", "∂y/∂(x*x*x)"),
        ("x", "∂y/∂y", "∂(x*x*x*x)/∂x", use),
        ("x*x", "∂y/∂(x*x*x)", "∂(x*x*x)/∂(x*x)", "∂y/∂(x*x)"),
        ("x", "∂y/∂(x*x*x)", "∂(x*x*x)/∂x", use),
        ("x", "∂y/∂(x*x)", "∂(x*x)/∂x", use),
        ("x", "∂y/∂(x*x)", "∂(x*x)/∂x", use),
    ]
    assert [s["contribution"] for s in steps] == [False, True, False, True, True, True]
    assert [s["tensorflow"] for s in steps] == [3.0, 27.0, 9.0, 27.0, 27.0, 27.0]


def test_a_keras_layers_output_is_named_after_the_layer() -> None:
    trace = record(ROOT / "scenarios" / "keras" / "custom_train_step.py")
    ops = [e for e in trace.events if type(e) is OpEvent and not e.backward]
    matmul = next(op for op in ops if op.layer == "hidden" and op.op_type == "MatMul")
    relu = next(op for op in ops if op.layer == "hidden" and op.op_type == "Relu")
    given = label(trace, matmul.inputs[0])
    assert label(trace, relu.outputs[0]) == f"hidden({given})"
    assert label(trace, matmul.outputs[0]) == f"{given} @ hidden/kernel"
    into_out = next(op for op in ops if op.layer == "out" and op.op_type == "MatMul")
    assert label(trace, into_out.inputs[0]) == f"hidden({given})"
