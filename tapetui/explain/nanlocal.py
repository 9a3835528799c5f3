"""A NaN or Inf that a backward step made from finite values: the step's own op says why.

Its local derivative at the recorded input is infinite or undefined
(``infinite_local_derivative``), or finite with upstream × local beyond the dtype
(``overflow``); or the value it differentiates was discarded downstream by ``tf.where`` or a
multiplication by 0, and 0 × inf is NaN (``where_trap``); or the tape's sum of finite
contributions overflowed (``overflow``). ``tapetui.explain.nonfinite`` finds the step.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

from tapetui.explain.backward import rule_value
from tapetui.explain.causes import Cause, Evidence
from tapetui.explain.finite import (
    as_number,
    at_line,
    element,
    flat,
    index_of,
    inputs_text,
    is_bad,
    step_mark,
)
from tapetui.explain.rules import local_partial
from tapetui.explain.shape_rules import RESHAPES
from tapetui.trace.events import BackwardStepEvent, GradientSumEvent, OpEvent
from tapetui.trace.labels import format_data, label
from tapetui.trace.model import Trace

DTYPE_MAX = {
    "float16": 65504.0,
    "bfloat16": 3.3895313892515355e38,
    "float32": 3.4028234663852886e38,
    "float64": 1.7976931348623157e308,
}


SELECT_OPS = frozenset({"Select", "SelectV2"})

_NO_ELEMENTWISE_LOCAL = frozenset({"MatMul", "BatchMatMulV2", "Transpose", *RESHAPES})
"""Linear ops whose rule is a product with the upstream gradient, with no elementwise local
derivative: a non-finite gradient from their finite inputs is an overflow."""


FIXES = {
    "where_trap": 'make the discarded branch safe too (a "double where"): feed the op a '
    "harmless value where it is discarded, e.g. tf.math.log(tf.where(x > 0, x, 1.0)), or use "
    "tf.math.xlogy / tf.math.divide_no_nan",
    "infinite_local_derivative": "keep the input away from the singular point: add an epsilon "
    "(tf.sqrt(s + 1e-12)), use tf.math.divide_no_nan or tf.math.xlogy, or clip the input",
    "overflow": "scale the loss down (a smaller or dynamic loss scale: "
    "keras.mixed_precision.LossScaleOptimizer), lower the learning rate, clip gradients, or "
    "compute this part in float32",
}


@dataclass
class Origin:
    """The first step (or sum) of a call that made a non-finite gradient from finite ones."""

    event: BackwardStepEvent | GradientSumEvent
    produced: int
    index: int
    """The forward input the gradient is for (0 for a sum)."""


def overflows(
    trace: Trace, op: OpEvent, origin: Origin, position: int | None, up: float | None
) -> bool:
    """Whether upstream × a finite local derivative exceeds the gradient's dtype: then the
    backward pass overflowed on its own, whatever the op's forward output was."""
    _, local, known = _local_at(op, origin.index, trace, position)
    if not known or local is None or not math.isfinite(local) or up is None:
        return False
    return abs(up * local) > _biggest(trace, origin.produced)


def _biggest(trace: Trace, ref: int) -> float:
    tensor = trace.tensors.get(ref)
    return DTYPE_MAX.get(tensor.dtype if tensor is not None else "", DTYPE_MAX["float32"])


def _local_at(
    op: OpEvent, index: int, trace: Trace, position: int | None
) -> tuple[str | None, float | None, bool]:
    """The rule, its local value at ``position``, and whether it could be computed there."""
    inputs = [element(rule_value(trace, r), position) for r in op.inputs]
    outputs = [element(rule_value(trace, r), position) for r in op.outputs]
    if None in inputs[: index + 1]:
        return None, None, False
    partial = local_partial(op.op_type, index, inputs, outputs, 1.0, op.attrs)
    if partial is None:
        return None, None, False
    if partial.local is None:
        if op.op_type in _NO_ELEMENTWISE_LOCAL:  # linear: its derivative is never infinite
            return partial.rule, None, False
        return partial.rule, math.inf, True  # the rule divided by zero (or overflowed) here
    local = as_number(element(partial.local, 0))
    return partial.rule, local, local is not None


def local_cause(
    trace: Trace,
    event: BackwardStepEvent,
    op: OpEvent | None,
    origin: Origin,
    position: int | None,
    up: float | None,
    call_mark: Evidence,
) -> Cause:
    tensor = trace.tensors.get(origin.produced)
    dtype = tensor.dtype if tensor is not None else "float32"
    biggest = DTYPE_MAX.get(dtype, DTYPE_MAX["float32"])
    rule, local, known = _local_at(op, origin.index, trace, position) if op else (None, None, False)
    where = f"`{event.op_type}` ({at_line(event.line, event.file)})"
    values = inputs_text(trace, op, position)
    produced = format_data(element(rule_value(trace, origin.produced), position))
    mark = step_mark(event, f"{event.op_type}: backward produced {produced} from a finite upstream")
    if known and local is not None and math.isfinite(local) and up is not None:
        sentence = (
            f"the backward step of {where} multiplies the "
            f"upstream gradient {format_data(up)} by the local derivative {format_data(local)} "
            f"({rule}) at {values}: {format_data(up * local)} is more than {dtype}'s largest "
            f"value {format_data(biggest)}, so TensorFlow's gradient is {produced}."
        )
        return Cause("overflow", sentence, FIXES["overflow"], [mark, call_mark])
    linear = op is not None and op.op_type in _NO_ELEMENTWISE_LOCAL
    half = dtype in ("float16", "bfloat16") and not _singular_guess(trace, op, position)
    if not known and "inf" in produced and (linear or half):
        sentence = (
            f"{_forward_state(trace, event)} the backward step of {where} made {produced} "
            f"from a finite upstream gradient at {values}: the product exceeds {dtype}'s "
            f"largest value {format_data(biggest)}."
        )
        return Cause("overflow", sentence, FIXES["overflow"], [mark, call_mark])
    what = f"{rule} = inf" if rule else "its derivative is infinite or undefined"
    sentence = (
        f"the derivative of {where} is infinite at {values}: {what} there, so its backward step "
        f"turned the upstream gradient {format_data(up) if up is not None else '(finite)'} "
        f"into {produced}."
    )
    return Cause(
        "infinite_local_derivative", sentence, FIXES["infinite_local_derivative"], [mark, call_mark]
    )


def _forward_state(trace: Trace, event: BackwardStepEvent) -> str:
    """How the forward pass stood: finite, or the target already non-finite (an overflow in
    the forward pass too, which this gradient did not go through)."""
    call = trace.gradient_calls.get(event.call)
    for ref in call.target_ids if call is not None else []:
        value = rule_value(trace, ref)
        if any(is_bad(v) for v in flat(value)):
            return (
                f"the target `{label(trace, ref)}` is already {format_data(value)} in the forward "
                "pass, and the gradient overflows on its own too:"
            )
    return "the forward pass is finite, but"


def _singular_guess(trace: Trace, op: OpEvent | None, position: int | None) -> bool:
    """Without a rule: an input that is 0 where the gradient broke is a likely singular point."""
    if op is None:
        return False
    return any(as_number(element(rule_value(trace, r), position)) == 0 for r in op.inputs)


def discarded(trace: Trace, op: OpEvent, position: int | None = None) -> OpEvent | None:
    """The ``tf.where`` (``Select``) or multiplication by 0 downstream that the op's value
    reaches, if any (``position``: the element of the op's output the gradient broke at)."""
    consumers = index_of(trace).consumers
    todo = deque(op.outputs)
    seen: set[int] = set()
    while todo and len(seen) < 200:
        ref = todo.popleft()
        if ref in seen:
            continue
        seen.add(ref)
        for user in consumers.get(ref, []):
            if user.op_type in SELECT_OPS and ref in user.inputs[1:]:
                return user
            at = position if ref in op.outputs else None
            if user.op_type == "Mul" and _zero_product(trace, user, ref, at):
                return user
            todo.extend(user.outputs)
    return None


def _zero_product(trace: Trace, op: OpEvent, ref: int, position: int | None) -> bool:
    """Whether the multiplication discarded ``ref`` (at ``position``, when it is known and the
    shapes line up): the other factor is 0 and the product a finite 0 there. Where ``ref``
    itself was infinite, 0 × inf is NaN already in the forward pass: that discards nothing."""
    product = flat(rule_value(trace, op.outputs[0])) if op.outputs else []
    for other in (r for r in op.inputs if r != ref):
        factor = flat(rule_value(trace, other))
        zeros = [i for i, x in enumerate(factor) if as_number(x) == 0]
        if not zeros:
            continue
        if len(product) != len(factor) or len(product) <= 1:
            if not any(is_bad(x) for x in product):
                return True
        elif position is not None and position < len(factor):
            if position in zeros and not is_bad(product[position]):
                return True
        elif any(not is_bad(product[i]) for i in zeros):
            return True
    return False


def where_trap(
    trace: Trace,
    event: BackwardStepEvent,
    op: OpEvent,
    origin: Origin,
    position: int | None,
    discarding: OpEvent,
    call_mark: Evidence,
) -> Cause:
    rule, _, _ = _local_at(op, origin.index, trace, position)
    values = inputs_text(trace, op, position)
    derivative = (
        f"its derivative {rule} is infinite there" if rule else "its derivative is infinite"
    )
    produced = format_data(element(rule_value(trace, origin.produced), position))
    how = "tf.where" if discarding.op_type in SELECT_OPS else "a multiplication by 0"
    sentence = (
        f"{how} ({discarding.op_type}, {at_line(discarding.line, discarding.file)}) discarded the value of "
        f"`{event.op_type}` ({at_line(event.line, event.file)}) at {values}, so the gradient arriving there "
        f"is 0; but {derivative}, and 0 × inf = {produced}."
    )
    marks = [
        step_mark(event, f"{event.op_type}: upstream 0 × infinite derivative = {produced}"),
        Evidence(discarding.file, discarding.line, f"{how} discarded the branch", discarding.seq),
        call_mark,
    ]
    return Cause("where_trap", sentence, FIXES["where_trap"], marks)


def sum_overflow(trace: Trace, event: GradientSumEvent, call_mark: Evidence) -> Cause:
    parts = ", ".join(format_data(rule_value(trace, c)) for c in event.contributions)
    tensor = trace.tensors.get(event.total) if event.total is not None else None
    dtype = tensor.dtype if tensor is not None else "float32"
    sentence = (
        f"every contribution to the gradient of {label(trace, event.tensor)} was finite "
        f"({parts}), but the tape's sum of them, {format_data(rule_value(trace, event.total))}, "
        f"is beyond {dtype}'s largest value {format_data(DTYPE_MAX.get(dtype, DTYPE_MAX['float32']))}."
    )
    mark = Evidence(event.file, event.line, "the sum of finite contributions overflowed", event.seq)
    made: dict[int, BackwardStepEvent] = {}  # each contribution's step (the last to pass it on)
    for e in index_of(trace).by_call.get(event.call, []):
        if type(e) is BackwardStepEvent and e.seq < event.seq:
            made.update({c: e for c in event.contributions if c in e.produced})
    steps = [
        step_mark(made[c], f"{made[c].op_type}: contributed {format_data(rule_value(trace, c))}")
        for c in event.contributions
        if c in made
    ]
    return Cause("overflow", sentence, FIXES["overflow"], [*steps, mark, call_mark])
