"""Why a gradient is NaN or Inf: the first backward step that made a non-finite value, explained.

Pure functions over ``tapetui.trace``. The backward steps (and the tape's sums) of the call are
walked in the order TensorFlow ran them; the first one whose gradient is non-finite while
everything arriving at it was finite is where the value entered the backward pass. Its recorded
values decide the cause — never the op's name alone, nor the scenario's source text:

1. a forward input of that op already non-finite → ``nan_in_forward`` (the first forward op
   whose output was non-finite, or the data that held it, is named);
2. the upstream gradient is 0 where the gradient became NaN, and the op's value was discarded
   downstream by ``tf.where`` (``Select``/``SelectV2``) or a multiplication by 0 →
   ``where_trap``;
3. the op's own forward output is non-finite there → ``nan_in_forward`` (that op), unless
   upstream × its finite local derivative is itself beyond the dtype (then ``overflow``);
4. the op's local derivative is infinite or undefined at the recorded input →
   ``infinite_local_derivative``; it is finite, but upstream × local exceeds the dtype's
   largest value → ``overflow`` (so is a sum of finite contributions that overflowed).
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
    bad_positions,
    element,
    flat,
    index_of,
    inputs_text,
    is_bad,
    nonfinite,
    step_mark,
)
from tapetui.explain.finite import (
    counts as counts,  # re-exported for the why pane
)
from tapetui.explain.nanforward import forward_or_given, from_forward
from tapetui.explain.rules import local_partial
from tapetui.explain.summarised import (
    BUDGET_OPTIONS,
    SUMMARISED,
    carried_over,
    detail_spent,
    detailed_calls,
)
from tapetui.trace.events import BackwardStepEvent, Event, GradientSumEvent, OpEvent
from tapetui.trace.labels import format_data, label
from tapetui.trace.model import GradientCall, Trace

NONFINITE_CODES: dict[str, str] = {
    "where_trap": "a branch tf.where (or a multiplication by a zero mask) discarded has an "
    "infinite derivative there: its backward is 0 × inf = NaN",
    "infinite_local_derivative": "an op's derivative is infinite or undefined at its input "
    "(sqrt/pow at 0, log at 0, a division by 0, the norm of a zero vector …)",
    "nan_in_forward": "a NaN or Inf was already in the forward values the gradient flows "
    "through (in the data, or made by an op such as exp overflowing)",
    "overflow": "a backward value made from finite ones (upstream × local, or the tape's sum of "
    "contributions) exceeds the dtype's range",
}
"""The cause codes of a NaN/Inf gradient (a public contract, documented in the README)."""


DTYPE_MAX = {
    "float16": 65504.0,
    "bfloat16": 3.3895313892515355e38,
    "float32": 3.4028234663852886e38,
    "float64": 1.7976931348623157e308,
}


SELECT_OPS = frozenset({"Select", "SelectV2"})


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
class NonFinite:
    """A gradient result holding NaN or Inf, and why."""

    nan: int
    inf: int
    cause: Cause
    op: str | None = None
    """The op whose step first made the non-finite value (or the forward op, for
    ``nan_in_forward``)."""
    line: int | None = None
    step: int | None = None
    """Timeline position of the backward step (or sum) that first produced it."""


@dataclass
class _Origin:
    """The first step (or sum) of a call that made a non-finite gradient from finite ones."""

    event: BackwardStepEvent | GradientSumEvent
    produced: int
    index: int
    """The forward input the gradient is for (0 for a sum)."""


def _origins(trace: Trace, events: list[Event]) -> list[_Origin]:
    found: list[_Origin] = []
    for event in events:
        if isinstance(event, GradientSumEvent):
            if event.total is not None and nonfinite(trace, event.total):
                if not any(nonfinite(trace, c) for c in event.contributions):
                    found.append(_Origin(event, event.total, 0))
            continue
        assert isinstance(event, BackwardStepEvent)
        if any(nonfinite(trace, u) for u in event.upstream if u is not None):
            continue
        for index, produced in enumerate(event.produced):
            if produced is not None and nonfinite(trace, produced):
                found.append(_Origin(event, produced, index))
    return found


def _reaches(trace: Trace, source: int, start: list[int]) -> bool:
    """Whether ``source`` flows (forward) into any of ``start``."""
    todo, seen = list(start), set()
    while todo:
        ref = todo.pop()
        if ref == source:
            return True
        tensor = trace.tensors.get(ref)
        if tensor is None or ref in seen:
            continue
        seen.add(ref)
        if tensor.variable == source:
            return True
        producer = trace.ops.get(tensor.producer) if tensor.producer is not None else None
        if producer is not None and not producer.backward:
            todo.extend(producer.inputs)
    return False


def explain_nonfinite(trace: Trace, call: GradientCall, summarised: bool) -> list[NonFinite | None]:
    """For each result of the call: ``None`` when finite (or missing), else its cause."""
    if not trace.ops and trace.events:
        trace.reindex()
    results = call.result_ids
    if not any(r is not None and nonfinite(trace, r) for r in results):
        return [None] * len(call.source_ids)
    events = index_of(trace).by_call.get(call.id, [])
    origins = _origins(trace, events)
    out: list[NonFinite | None] = []
    for i, source in enumerate(call.source_ids):
        ref = results[i] if i < len(results) else None
        if ref is None or not nonfinite(trace, ref):
            out.append(None)
            continue
        nan, inf = counts(trace, ref)
        if summarised and not events:
            out.append(_summarised(trace, call, i, nan, inf))
            continue
        mine = [o for o in origins if _origin_reaches(trace, source, o)] or origins
        out.append(_explain(trace, call, mine[0] if mine else None, nan, inf))
    return out


def _origin_reaches(trace: Trace, source: int, origin: _Origin) -> bool:
    event = origin.event
    if isinstance(event, BackwardStepEvent):
        op = trace.ops.get(event.op)
        if op is None or origin.index >= len(op.inputs):
            return False
        return _reaches(trace, source, [op.inputs[origin.index]])
    return _reaches(trace, source, [event.tensor])


def _summarised(trace: Trace, call: GradientCall, index: int, nan: int, inf: int) -> NonFinite:
    """A NaN/Inf in a call recorded after the budget: explained by the latest call on the same
    line recorded in detail, where that one's gradient was already non-finite too; else the
    first non-finite step was not recorded in detail."""
    earlier_id = detailed_calls(trace).same_call(call)
    earlier = trace.gradient_calls.get(earlier_id) if earlier_id is not None else None
    if earlier is not None and earlier.error is None:
        before = explain_nonfinite(trace, earlier, False)
        found = before[index] if index < len(before) else None
        if found is not None and found.cause.code != SUMMARISED:
            cause = carried_over(earlier, found.cause)
            return NonFinite(nan, inf, cause, found.op, found.line, found.step)
    cause = Cause(
        SUMMARISED,
        f"The gradient is non-finite, but this call ran after {detail_spent(trace)} were "
        "recorded in detail, and no call recorded in detail on its line had a non-finite "
        "gradient: the backward step that first made the NaN/Inf was not recorded in detail.",
        f"Record again with a larger budget ({BUDGET_OPTIONS}) so that this step is recorded "
        "in detail, or stop the loop earlier.",
        [Evidence(call.file, call.line, "gradient call recorded in summary only", call.seq)],
    )
    return NonFinite(nan, inf, cause)


def _explain(
    trace: Trace, call: GradientCall, origin: _Origin | None, nan: int, inf: int
) -> NonFinite:
    call_mark = Evidence(
        call.file, call.line, "gradient call returned a non-finite gradient", call.seq
    )
    if origin is None:
        cause = forward_or_given(trace, call, call_mark)
        return NonFinite(nan, inf, cause, None, cause.evidence[0].line if cause.evidence else None)
    event = origin.event
    if isinstance(event, GradientSumEvent):
        cause = _sum_overflow(trace, event, call_mark)
        return NonFinite(nan, inf, cause, "sum of gradients", event.line, event.seq)
    assert isinstance(event, BackwardStepEvent)
    cause, op_name, line = _classify(trace, event, origin, call_mark)
    return NonFinite(nan, inf, cause, op_name, line, event.seq)


def _classify(
    trace: Trace, event: BackwardStepEvent, origin: _Origin, call_mark: Evidence
) -> tuple[Cause, str, int | None]:
    op = trace.ops.get(event.op)
    upstream = event.upstream[0] if event.upstream else None
    if op is not None:
        bad_input = next((r for r in op.inputs if nonfinite(trace, r)), None)
        if bad_input is not None:
            return from_forward(trace, bad_input, event, call_mark)
    positions = bad_positions(trace, origin.produced)
    position = positions[0] if positions else None
    up = as_number(element(rule_value(trace, upstream), position))
    discarding = _discarded(trace, op) if op is not None and up == 0 else None
    if op is not None and discarding is not None:
        cause = _where_trap(trace, event, op, origin, position, discarding, call_mark)
        return cause, event.op_type, event.line
    if op is not None and any(
        element(rule_value(trace, r), position) is not None
        and is_bad(element(rule_value(trace, r), position))
        for r in op.outputs
    ):
        if not _overflows(trace, op, origin, position, up):
            return from_forward(trace, op.outputs[0], event, call_mark)
    return _local(trace, event, op, origin, position, up, call_mark), event.op_type, event.line


def _overflows(
    trace: Trace, op: OpEvent, origin: _Origin, position: int | None, up: float | None
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
    if partial.local is None:  # the rule divided by zero (or overflowed) at this input
        return partial.rule, math.inf, True
    local = as_number(element(partial.local, 0))
    return partial.rule, local, local is not None


def _local(
    trace: Trace,
    event: BackwardStepEvent,
    op: OpEvent | None,
    origin: _Origin,
    position: int | None,
    up: float | None,
    call_mark: Evidence,
) -> Cause:
    tensor = trace.tensors.get(origin.produced)
    dtype = tensor.dtype if tensor is not None else "float32"
    biggest = DTYPE_MAX.get(dtype, DTYPE_MAX["float32"])
    rule, local, known = _local_at(op, origin.index, trace, position) if op else (None, None, False)
    where = f"`{event.op_type}` ({at_line(event.line)})"
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
    if (
        not known
        and not _singular_guess(trace, op, position)
        and "inf" in produced
        and dtype
        in (
            "float16",
            "bfloat16",
        )
    ):
        sentence = (
            f"the forward pass is finite, but the backward step of {where} made {produced} "
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


def _singular_guess(trace: Trace, op: OpEvent | None, position: int | None) -> bool:
    """Without a rule: an input that is 0 where the gradient broke is a likely singular point."""
    if op is None:
        return False
    return any(as_number(element(rule_value(trace, r), position)) == 0 for r in op.inputs)


def _discarded(trace: Trace, op: OpEvent) -> OpEvent | None:
    """The ``tf.where`` (``Select``) or multiplication by 0 downstream that the op's value
    reaches, if any."""
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
            if user.op_type == "Mul" and _other_has_zero(trace, user, ref):
                return user
            todo.extend(user.outputs)
    return None


def _other_has_zero(trace: Trace, op: OpEvent, ref: int) -> bool:
    others = [r for r in op.inputs if r != ref]
    return any(0.0 in [as_number(x) for x in flat(rule_value(trace, r))] for r in others)


def _where_trap(
    trace: Trace,
    event: BackwardStepEvent,
    op: OpEvent,
    origin: _Origin,
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
        f"{how} ({discarding.op_type}, {at_line(discarding.line)}) discarded the value of "
        f"`{event.op_type}` ({at_line(event.line)}) at {values}, so the gradient arriving there "
        f"is 0; but {derivative}, and 0 × inf = {produced}."
    )
    marks = [
        step_mark(event, f"{event.op_type}: upstream 0 × infinite derivative = {produced}"),
        Evidence(discarding.file, discarding.line, f"{how} discarded the branch", discarding.seq),
        call_mark,
    ]
    return Cause("where_trap", sentence, FIXES["where_trap"], marks)


def _sum_overflow(trace: Trace, event: GradientSumEvent, call_mark: Evidence) -> Cause:
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
