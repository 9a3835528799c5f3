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

from dataclasses import dataclass

from tapetui.explain.backward import rule_value
from tapetui.explain.causes import Cause, Evidence
from tapetui.explain.finite import (
    as_number,
    bad_positions,
    element,
    index_of,
    is_bad,
    nonfinite,
)
from tapetui.explain.finite import (
    counts as counts,  # re-exported for the why pane
)
from tapetui.explain.nanforward import forward_or_given, from_forward
from tapetui.explain.nanlocal import (
    Origin,
    discarded,
    local_cause,
    overflows,
    sum_overflow,
    where_trap,
)
from tapetui.explain.summarised import (
    BUDGET_OPTIONS,
    SUMMARISED,
    carried_over,
    detail_spent,
    detailed_calls,
)
from tapetui.trace.events import BackwardStepEvent, Event, GradientSumEvent
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


def _origins(trace: Trace, events: list[Event]) -> list[Origin]:
    found: list[Origin] = []
    for event in events:
        if isinstance(event, GradientSumEvent):
            if event.total is not None and nonfinite(trace, event.total):
                if not any(nonfinite(trace, c) for c in event.contributions):
                    found.append(Origin(event, event.total, 0))
            continue
        assert isinstance(event, BackwardStepEvent)
        if any(nonfinite(trace, u) for u in event.upstream if u is not None):
            continue
        for index, produced in enumerate(event.produced):
            if produced is not None and nonfinite(trace, produced):
                found.append(Origin(event, produced, index))
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


def _origin_reaches(trace: Trace, source: int, origin: Origin) -> bool:
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
    trace: Trace, call: GradientCall, origin: Origin | None, nan: int, inf: int
) -> NonFinite:
    call_mark = Evidence(
        call.file, call.line, "gradient call returned a non-finite gradient", call.seq
    )
    if origin is None:
        cause = forward_or_given(trace, call, call_mark)
        return NonFinite(nan, inf, cause, None, cause.evidence[0].line if cause.evidence else None)
    event = origin.event
    if isinstance(event, GradientSumEvent):
        cause = sum_overflow(trace, event, call_mark)
        return NonFinite(nan, inf, cause, "sum of gradients", event.line, event.seq)
    assert isinstance(event, BackwardStepEvent)
    cause, op_name, line = _classify(trace, event, origin, call_mark)
    return NonFinite(nan, inf, cause, op_name, line, event.seq)


def _classify(
    trace: Trace, event: BackwardStepEvent, origin: Origin, call_mark: Evidence
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
    discarding = discarded(trace, op, position) if op is not None and up == 0 else None
    if op is not None and discarding is not None:
        cause = where_trap(trace, event, op, origin, position, discarding, call_mark)
        return cause, event.op_type, event.line
    if op is not None and any(
        element(rule_value(trace, r), position) is not None
        and is_bad(element(rule_value(trace, r), position))
        for r in op.outputs
    ):
        if not overflows(trace, op, origin, position, up):
            return from_forward(trace, op.outputs[0], event, call_mark)
    return local_cause(trace, event, op, origin, position, up, call_mark), event.op_type, event.line
