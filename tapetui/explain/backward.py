"""Each backward step checked against the chain rule: upstream × local partial, summed over the
axes an input was broadcast along, compared with the gradient TensorFlow produced.

The debugger's step pane and ``report --json`` both read their backward steps from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tapetui.explain.broadcast import elementwise, shape_of, sum_to_shape
from tapetui.explain.rules import LocalPartial, agrees, local_partial
from tapetui.trace import BackwardStepEvent, OpEvent, Trace

MATCHES = "matches"
"""TensorFlow's gradient equals upstream × local (reduced to the input's shape)."""
DIFFERS = "differs"
"""TensorFlow produced something other than the chain rule of the op."""
NO_RULE = "no_rule"
"""tapetui has no rule for this op (or this input of it)."""
NO_VALUE = "no_value"
"""There is a rule, but a value it needs was not kept in the trace (too large, or a handle)."""
SKIPPED = "skipped"
"""TensorFlow skipped this input: no gradient was needed for it."""
NO_GRADIENT = "no_gradient"
"""TensorFlow produced no gradient (``None``) for this input."""

DIFFERS_SENTENCE = "TensorFlow's gradient differs from the chain rule of this op"
"""What a ``differs`` verdict says, and no more: the values disagree beyond rounding."""
CUSTOM_SENTENCE = (
    "TensorFlow ran the scenario's tf.custom_gradient here, not the chain rule of this op"
)
"""What a ``differs`` verdict says where the step was a ``tf.custom_gradient``'s function."""


def differs_sentence(step: StepCheck) -> str:
    """Why the step's gradient is not the rule's: a custom gradient, or values that disagree."""
    return CUSTOM_SENTENCE if step.event.custom else DIFFERS_SENTENCE


def data_of(trace: Trace, ref: int | None) -> Any:
    """The stored value of a tensor or variable (initial value), ``None`` when not kept."""
    if ref is None:
        return None
    tensor = trace.tensors.get(ref)
    if tensor is not None:
        if tensor.data is None and tensor.variable is not None:
            return data_of(trace, tensor.variable) if tensor.variable != ref else None
        return tensor.data
    var = trace.variables.get(ref)
    return None if var is None else var.data


RuleValues = tuple[list[Any], list[Any], Any]
"""The op's input values, output values and the upstream gradient, as the rules read them."""


@dataclass(frozen=True)
class InputCheck:
    """One input of a backward step: the rule's gradient for it and TensorFlow's."""

    index: int
    input: int | None
    """The forward op's input tensor; ``None`` when the forward op was not recorded."""
    upstream: int | None
    """The gradient arriving at the output this input's gradient comes from."""
    partial: LocalPartial | None
    """The rule, its local value and the product; ``None`` for an op without a rule."""
    produced: int | None
    """TensorFlow's gradient for this input (a tensor id), ``None`` when it produced none."""
    tensorflow: Any
    """Its stored value."""
    check: str
    """``matches``, ``differs``, ``no_rule``, ``no_value``, ``skipped`` or ``no_gradient``."""


@dataclass(frozen=True)
class StepCheck:
    """A backward step with each of its op's inputs checked."""

    event: BackwardStepEvent
    op: OpEvent | None
    inputs: list[InputCheck]


def _upstream_ref(event: BackwardStepEvent, op_type: str, index: int) -> int | None:
    """``IdentityN`` passes output i's gradient to input i; other ops have one output."""
    if not event.upstream:
        return None
    if op_type == "IdentityN" and index < len(event.upstream):
        return event.upstream[index]
    return event.upstream[0]


TOLERANCES = {"float16": 1e-2, "bfloat16": 2e-2}
"""Relative tolerance of the comparison for low-precision gradients (1e-4 for the others)."""


def _tolerance(trace: Trace, ref: int) -> float:
    tensor = trace.tensors.get(ref)
    return TOLERANCES.get(tensor.dtype if tensor is not None else "", 1e-4)


def _magnitude(op: OpEvent, index: int, rule_values: RuleValues, partial: LocalPartial) -> Any:
    """The sum of the magnitudes added into each element of the product (``None``: one term)."""
    try:
        if partial.unreduced is not None:
            terms = elementwise(abs, partial.unreduced)
            return sum_to_shape(terms, shape_of(partial.product)).value
        if op.op_type in ("MatMul", "BatchMatMulV2"):
            inputs, outputs, upstream = rule_values
            absolute = [elementwise(abs, v) for v in inputs]
            again = local_partial(
                op.op_type, index, absolute, outputs, elementwise(abs, upstream), op.attrs
            )
            return again.product if again is not None else None
    except (TypeError, ValueError):
        return None
    return None


def _verdict(
    trace: Trace,
    op: OpEvent,
    index: int,
    rule_values: RuleValues,
    partial: LocalPartial | None,
    produced: int | None,
) -> str:
    if produced is None:
        return NO_GRADIENT
    if partial is None:
        return NO_RULE
    tensorflow = rule_value(trace, produced)
    scale = _magnitude(op, index, rule_values, partial)
    same = agrees(partial.product, tensorflow, _tolerance(trace, produced), scale)
    if same is None:
        return NO_VALUE
    return MATCHES if same else DIFFERS


def rule_value(trace: Trace, ref: int | None) -> Any:
    """A value the rules may compute with: stored whole and real (a complex value is stored as
    pairs), or, for a variable's handle, the variable's value (only its shape is used)."""
    tensor = trace.tensors.get(ref) if ref is not None else None
    if tensor is None:
        return data_of(trace, ref)
    if tensor.dtype.startswith("complex"):
        return None
    if tensor.data is None and tensor.dtype == "resource":
        return data_of(trace, ref)
    return tensor.data


def _input_check(
    trace: Trace,
    event: BackwardStepEvent,
    op: OpEvent,
    index: int,
    values: tuple[list[Any], list[Any]],
) -> InputCheck:
    ref = op.inputs[index]
    upstream = _upstream_ref(event, op.op_type, index)
    produced = event.produced[index] if index < len(event.produced) else None
    tensorflow = data_of(trace, produced)
    if index in event.skipped:
        return InputCheck(index, ref, upstream, None, produced, tensorflow, SKIPPED)
    rule_values = (*values, rule_value(trace, upstream))
    inputs, outputs, upstream_value = rule_values
    partial = local_partial(op.op_type, index, inputs, outputs, upstream_value, op.attrs)
    check = _verdict(trace, op, index, rule_values, partial, produced)
    return InputCheck(index, ref, upstream, partial, produced, tensorflow, check)


def _unknown_input(trace: Trace, event: BackwardStepEvent, index: int) -> InputCheck:
    produced = event.produced[index]
    upstream = event.upstream[0] if event.upstream else None
    check = NO_RULE if produced is not None else NO_GRADIENT
    return InputCheck(index, None, upstream, None, produced, data_of(trace, produced), check)


def check_step(trace: Trace, event: BackwardStepEvent) -> StepCheck:
    """Every input of the step's op, with the rule's gradient and TensorFlow's side by side."""
    op = trace.ops.get(event.op)
    if op is None:  # TensorFlow's gradients are known, not what they are the gradients of
        return StepCheck(
            event, None, [_unknown_input(trace, event, i) for i in range(len(event.produced))]
        )
    values = ([rule_value(trace, r) for r in op.inputs], [rule_value(trace, r) for r in op.outputs])
    checks = [_input_check(trace, event, op, i, values) for i in range(len(op.inputs))]
    return StepCheck(event, op, checks)


def steps_by_call(trace: Trace) -> dict[int, list[StepCheck]]:
    """The checked backward steps of each gradient call, in the order TensorFlow ran them."""
    found: dict[int, list[StepCheck]] = {}
    for event in trace.events:
        if type(event) is BackwardStepEvent:
            found.setdefault(event.call, []).append(check_step(trace, event))
    return found
