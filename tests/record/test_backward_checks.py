"""The chain rule checked on every backward step of every seed scenario, recorded for real.

Uses the session's shared recordings (``tests/record/conftest.py``): a ``differs`` verdict on a
seed scenario would be tapetui contradicting what TensorFlow really computed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tapetui.explain.backward import (
    CUSTOM_SENTENCE,
    DIFFERS,
    MATCHES,
    differs_sentence,
    steps_by_call,
)
from tapetui.record import record
from tapetui.record.budget import Budget
from tapetui.report.build import build_report
from tapetui.trace import BackwardStepEvent
from tapetui.ui.describe import describe
from tapetui.ui.steps import Stepper
from tests.record.conftest import SCENARIOS, Run, line_of


def _backward_texts(run: Run) -> list[str]:
    stepper = Stepper(run.trace)
    return [
        "\n".join(text for text, _ in describe(run.trace, step, {}))
        for step in stepper.steps
        if isinstance(step.event, BackwardStepEvent)
    ]


@pytest.mark.parametrize("name", SCENARIOS)
def test_no_backward_step_of_a_seed_scenario_differs_from_the_chain_rule(
    runs: dict[str, Run], name: str
) -> None:
    trace = runs[name].trace
    verdicts = [
        item.check for steps in steps_by_call(trace).values() for s in steps for item in s.inputs
    ]
    assert DIFFERS not in verdicts
    assert not [text for text in _backward_texts(runs[name]) if "differs" in text]


def test_the_mul_of_w_times_x_shows_the_sum_over_axis_0_and_tensorflows_value(
    runs: dict[str, Run],
) -> None:
    run = runs["linear_regression.py"]
    line = line_of(run.trace, "y_pred = W * X + b")
    first_call = min(run.trace.gradient_calls)
    (mul,) = [
        s
        for s in steps_by_call(run.trace)[first_call]
        if s.event.op_type == "Mul" and s.event.line == line
    ]
    w = mul.inputs[0]
    assert w.check == MATCHES
    assert w.partial is not None and w.partial.axes == (0,)
    assert len(w.partial.unreduced) == 17
    assert w.tensorflow == pytest.approx([101.589], abs=1e-3)
    (text,) = [t for t in _backward_texts(run) if "backward of Mul" in t][:1]
    assert "summed over axis 0 because W was broadcast = [101.589]" in text
    assert "∂loss/∂W = [101.589]  ✓ matches TF" in text


CUSTOM = """import tensorflow as tf


@tf.custom_gradient
def half_gradient_square(x):
    def grad(upstream):
        return upstream * 0.5

    return x * x, grad


x = tf.Variable(3.0)
with tf.GradientTape() as tape:
    loss = half_gradient_square(x) + x
print(tape.gradient(loss, x).numpy())
"""


def test_a_custom_gradient_differs_from_the_chain_rule_and_says_why(tmp_path: Path) -> None:
    """TensorFlow runs a ``tf.custom_gradient``'s function in place of the op's gradient: that
    step, and only that one, differs from the chain rule, and it says it was the custom one."""
    scenario = tmp_path / "custom.py"
    scenario.write_text(CUSTOM, encoding="utf-8")
    trace = record(scenario, budget=Budget(tapes=0, ops=0))
    (call,) = trace.gradient_calls.values()
    assert trace.tensors[call.result_ids[0]].data == 1.5  # 0.5 (custom) + 1, not 2·3 + 1
    steps = steps_by_call(trace)[call.id]
    differing = [s for s in steps if any(item.check == DIFFERS for item in s.inputs)]
    assert [s.event.custom for s in differing] == [True]
    assert differs_sentence(differing[0]) == CUSTOM_SENTENCE
    others = [item.check for s in steps if not s.event.custom for item in s.inputs]
    assert MATCHES in others and DIFFERS not in others


def test_report_json_lists_the_mul_of_w_times_x_with_its_sum_and_tensorflows_value(
    runs: dict[str, Run],
) -> None:
    report = build_report(runs["linear_regression.py"].trace)
    steps = report["gradient_calls"][0]["backward_steps"]
    (w,) = [s for s in steps if s["op"] == "Mul" and s["input"] == "W"]
    assert w["local_rule"] == "∂(a·b)/∂a = b"
    assert w["summed_over_axes"] == [0]
    assert w["product"] == pytest.approx([101.589], abs=1e-3)
    assert w["tensorflow"] == pytest.approx([101.589], abs=1e-3)
    assert w["check"] == "matches"
    assert {s["check"] for c in report["gradient_calls"] for s in c["backward_steps"]} <= {
        "matches",
        "skipped",
    }


ZOO = """import tensorflow as tf

a = tf.Variable([[0.5, 1.5, 2.5], [3.0, 0.25, 1.0]])
col = tf.Variable([[2.0], [0.5]])
row = tf.Variable([1.0, 2.0, 0.5])
s = tf.Variable(1.5)
with tf.GradientTape(persistent=True) as tape:
    t1 = a + row
    t2 = a - col
    t3 = a * s
    t4 = a / row
    t5 = tf.pow(a, s)
    t6 = tf.pow(s, row)
    t7 = tf.maximum(a, row)
    t8 = tf.minimum(col, a)
    t9 = tf.nn.bias_add(a, row)
    t10 = tf.math.squared_difference(a, col)
    t11 = tf.math.divide_no_nan(a, row - 1.0)
    r1 = tf.reduce_sum(a, axis=1, keepdims=True)
    r2 = tf.reduce_mean(a, axis=0)
    r3 = tf.reduce_prod(a, axis=1)
    m = tf.matmul(a, tf.transpose(a))
    u = tf.sigmoid(a) + tf.tanh(a) + tf.nn.relu(a - 1.0) + tf.exp(a) + tf.math.log(a) + tf.sqrt(a)
    moved = tf.reshape(tf.transpose(tf.reshape(a, [1, 2, 3]), [2, 0, 1]), [6]) * row[0]
    squeezed = tf.squeeze(tf.expand_dims(a, 0)) * s
    parts = [t1, t2, t3, t4, t5, t6, t7, t8, t9, t10, t11, r1, r2, r3, m, u, moved, squeezed]
    loss = tf.add_n([tf.reduce_sum(p * p) for p in parts])
print(tape.gradient(loss, [a, col, row, s]))
"""
"""Every broadcasting rule with a (2, 3) value against (3,), (2, 1) and () ones, and reductions
with and without keepdims, recorded in full detail."""

BROADCASTING_OPS = {
    "AddV2", "Sub", "Mul", "RealDiv", "Pow", "Maximum", "Minimum", "BiasAdd",
    "SquaredDifference", "DivNoNan", "Sum", "Mean", "Prod", "MatMul",
    "Transpose", "Reshape", "ExpandDims", "Squeeze",
}  # fmt: skip


def test_every_broadcasting_reduction_and_shape_rule_matches_tensorflow(tmp_path: Path) -> None:
    scenario = tmp_path / "zoo.py"
    scenario.write_text(ZOO, encoding="utf-8")
    trace = record(scenario, budget=Budget(tapes=0, ops=0))
    (call,) = build_report(trace)["gradient_calls"]
    checks: dict[str, set[str]] = {}
    for step in call["backward_steps"]:
        checks.setdefault(step["op"], set()).add(step["check"])
    assert {op for op, found in checks.items() if "matches" in found} >= BROADCASTING_OPS
    allowed = {"matches", "skipped", "no_rule", "no_gradient"}  # no_gradient: integer inputs
    assert not [op for op, found in checks.items() if found - allowed]
    summed = [s for s in call["backward_steps"] if s["summed_over_axes"]]
    assert {tuple(s["summed_over_axes"]) for s in summed} >= {(0,), (1,), (0, 1)}
