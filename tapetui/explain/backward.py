"""Each backward step checked against the chain rule: upstream × local partial, summed over the
axes an input was broadcast along, compared with the gradient TensorFlow produced.

The debugger's step pane and ``report --json`` both read their backward steps from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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

DIFFERS_SENTENCE = (
    "TensorFlow's gradient differs from the chain rule of this op: "
    "a gradient registered in place of the standard one?"
)
"""What a ``differs`` verdict says: the rule held elsewhere, so the op's gradient is not the rule."""


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


@dataclass(frozen=True)
class InputCheck:
    """One input of a backward step: the rule's gradient for it and TensorFlow's."""

    index: int
    input: int
    """The forward op's input tensor."""
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


def _verdict(partial: LocalPartial | None, produced: int | None, tensorflow: Any) -> str:
    if produced is None:
        return NO_GRADIENT
    if partial is None:
        return NO_RULE
    same = agrees(partial.product, tensorflow)
    if same is None:
        return NO_VALUE
    return MATCHES if same else DIFFERS


def _input_check(
    trace: Trace, event: BackwardStepEvent, op: OpEvent, index: int, values: tuple[list, list]
) -> InputCheck:
    ref = op.inputs[index]
    upstream = _upstream_ref(event, op.op_type, index)
    produced = event.produced[index] if index < len(event.produced) else None
    tensorflow = data_of(trace, produced)
    if index in event.skipped:
        return InputCheck(index, ref, upstream, None, produced, tensorflow, SKIPPED)
    inputs, outputs = values
    partial = local_partial(op.op_type, index, inputs, outputs, data_of(trace, upstream), op.attrs)
    check = _verdict(partial, produced, tensorflow)
    return InputCheck(index, ref, upstream, partial, produced, tensorflow, check)


def check_step(trace: Trace, event: BackwardStepEvent) -> StepCheck:
    """Every input of the step's op, with the rule's gradient and TensorFlow's side by side."""
    op = trace.ops.get(event.op)
    if op is None:
        return StepCheck(event, None, [])
    values = ([data_of(trace, r) for r in op.inputs], [data_of(trace, r) for r in op.outputs])
    checks = [_input_check(trace, event, op, i, values) for i in range(len(op.inputs))]
    return StepCheck(event, op, checks)


def steps_by_call(trace: Trace) -> dict[int, list[StepCheck]]:
    """The checked backward steps of each gradient call, in the order TensorFlow ran them."""
    found: dict[int, list[StepCheck]] = {}
    for event in trace.events:
        if type(event) is BackwardStepEvent:
            found.setdefault(event.call, []).append(check_step(trace, event))
    return found
