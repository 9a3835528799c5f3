"""Backward steps checked against the chain rule, on a small hand-built trace."""

from __future__ import annotations

from tapetui.explain.backward import (
    DIFFERS,
    DIFFERS_SENTENCE,
    MATCHES,
    NO_VALUE,
    SKIPPED,
    steps_by_call,
)
from tapetui.trace import BackwardStepEvent
from tapetui.ui.describe import describe
from tapetui.ui.steps import Stepper
from tests.ui.handmade import square_twice


def test_every_step_of_x_times_x_matches_the_chain_rule() -> None:
    steps = steps_by_call(square_twice())
    assert [item.check for s in steps[1] for item in s.inputs] == [MATCHES] * 4
    first = steps[1][1].inputs[0]
    assert first.partial is not None and first.partial.product == 54.0
    assert first.tensorflow == 54.0


def test_a_gradient_other_than_the_rule_differs_and_says_so_in_the_rules_words() -> None:
    trace = square_twice()
    trace.tensors[24].data = 50.0  # TensorFlow's gradient for x, not 18 × 3
    step = steps_by_call(trace)[1][1]
    assert [item.check for item in step.inputs] == [DIFFERS, MATCHES]
    stepper = Stepper(trace)
    (index,) = [s.index for s in stepper.steps if isinstance(s.event, BackwardStepEvent)][1:2]
    text = "\n".join(t for t, _ in describe(trace, stepper.go(index), {}))
    assert "contribution to ∂z/∂x through this use of x\n    = 50.0  ✗ not the rule's value" in text
    assert DIFFERS_SENTENCE in text
    assert "differs" not in text.replace(DIFFERS_SENTENCE, "")


def test_a_skipped_input_is_not_checked() -> None:
    trace = square_twice()
    event = next(e for e in trace.events if isinstance(e, BackwardStepEvent))
    event.skipped = [1]
    assert [i.check for i in steps_by_call(trace)[1][0].inputs] == [MATCHES, SKIPPED]


def test_a_float16_gradient_is_compared_at_float16_precision() -> None:
    trace = square_twice()
    trace.tensors[24].dtype, trace.tensors[24].data = "float16", 54.25  # 54 in float16 rounding
    assert steps_by_call(trace)[1][1].inputs[0].check == MATCHES


def test_a_complex_gradient_is_not_checked_against_real_rules() -> None:

    trace = square_twice()
    for ref in (10, 23, 24, 25):
        trace.tensors[ref].dtype = "complex64"
    trace.tensors[10].data, trace.tensors[24].data = [3.0, 1.0], [50.0, 1.0]
    assert {i.check for i in steps_by_call(trace)[1][1].inputs} == {NO_VALUE}


def test_a_step_whose_forward_op_was_not_recorded_shows_tensorflows_gradient_unchecked() -> None:
    trace = square_twice()
    del trace.ops[1]  # the op of x * x: as for an op run inside a tf.custom_gradient function
    step = steps_by_call(trace)[2][0]
    assert [(i.input, i.check, i.tensorflow) for i in step.inputs] == [
        (None, "no_rule", 3.0),
        (None, "no_rule", 3.0),
    ]
    stepper = Stepper(trace)
    (index,) = [s.index for s in stepper.steps if isinstance(s.event, BackwardStepEvent)][2:3]
    text = "\n".join(t for t, _ in describe(trace, stepper.go(index), {}))
    assert "the forward op of this step was not recorded, so no rule is checked" in text
    assert "TensorFlow's gradient for its inputs: 3.0, 3.0" in text
