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
3. the op's own forward output is non-finite there → ``nan_in_forward`` (that op);
4. the op's local derivative is infinite or undefined at the recorded input →
   ``infinite_local_derivative``; it is finite, but upstream × local exceeds the dtype's
   largest value → ``overflow`` (so is a sum of finite contributions that overflowed).
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from typing import Any

from tapetui.explain.backward import rule_value
from tapetui.explain.causes import Cause, Evidence
from tapetui.explain.rules import local_partial
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
    "overflow": "the forward pass is finite, but a backward value exceeds the dtype's range",
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


def is_bad(x: Any) -> bool:
    """A stored element that is NaN or ±Inf (stored as ``"nan"``, ``"inf"``, ``"-inf"``)."""
    if isinstance(x, str):
        return x in ("nan", "inf", "-inf")
    return isinstance(x, float) and not math.isfinite(x)


def flat(data: Any) -> list[Any]:
    if isinstance(data, list):
        return [leaf for item in data for leaf in flat(item)]
    return [data]


def counts(trace: Trace, ref: int | None) -> tuple[int, int]:
    """How many NaN and infinite elements a tensor holds (0, 0 when unknown)."""
    tensor = trace.tensors.get(ref) if ref is not None else None
    if tensor is None:
        return 0, 0
    if tensor.data is None:
        summary = tensor.summary
        return (summary.nan, summary.inf) if summary is not None else (0, 0)
    values = flat(tensor.data)
    nan = sum(1 for x in values if x == "nan" or (isinstance(x, float) and math.isnan(x)))
    return nan, sum(1 for x in values if is_bad(x)) - nan


def nonfinite(trace: Trace, ref: int | None) -> bool:
    return sum(counts(trace, ref)) > 0


def _bad_positions(trace: Trace, ref: int | None) -> list[int]:
    tensor = trace.tensors.get(ref) if ref is not None else None
    if tensor is None or tensor.data is None:
        return []
    return [i for i, x in enumerate(flat(tensor.data)) if is_bad(x)]


def _at(value: Any, position: int | None) -> Any:
    """Element ``position`` of a value (a single number is the same everywhere)."""
    if value is None or position is None:
        return None
    values = flat(value)
    if len(values) == 1:
        return values[0]
    return values[position] if position < len(values) else None


def _number(x: Any) -> float | None:
    if isinstance(x, bool) or not isinstance(x, int | float | str):
        return None
    try:
        return float(x)
    except ValueError:
        return None


@dataclass
class _Origin:
    """The first step (or sum) of a call that made a non-finite gradient from finite ones."""

    event: Event
    produced: int
    index: int
    """The forward input the gradient is for (0 for a sum)."""


def _call_events(trace: Trace, call: int) -> list[Event]:
    return [
        e
        for e in trace.events
        if type(e) in (BackwardStepEvent, GradientSumEvent) and getattr(e, "call", None) == call
    ]


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


def _ancestors(trace: Trace, ref: int) -> set[int]:
    """Op ids whose outputs flow (forward) into ``ref``."""
    seen: set[int] = set()
    todo = [ref]
    while todo:
        tensor = trace.tensors.get(todo.pop())
        op = trace.ops.get(tensor.producer) if tensor and tensor.producer is not None else None
        if op is None or op.op in seen or op.backward:
            continue
        seen.add(op.op)
        todo.extend(op.inputs)
    return seen


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
    events = _call_events(trace, call.id)
    origins = _origins(trace, events)
    out: list[NonFinite | None] = []
    for i, source in enumerate(call.source_ids):
        ref = results[i] if i < len(results) else None
        if ref is None or not nonfinite(trace, ref):
            out.append(None)
            continue
        nan, inf = counts(trace, ref)
        if summarised and not events:
            out.append(NonFinite(nan, inf, _not_in_detail(trace, call)))
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


def _not_in_detail(trace: Trace, call: GradientCall) -> Cause:
    from tapetui.explain.summarised import BUDGET_OPTIONS, SUMMARISED

    return Cause(
        SUMMARISED,
        f"the gradient call at line {call.line} ran after the recording budget was spent, so "
        "its backward steps (where the first non-finite value appeared) were not recorded in "
        "detail.",
        f"record it in detail: {BUDGET_OPTIONS}",
        [Evidence(call.file, call.line, "gradient call summarised", call.seq)],
    )


def _explain(
    trace: Trace, call: GradientCall, origin: _Origin | None, nan: int, inf: int
) -> NonFinite:
    call_mark = Evidence(
        call.file, call.line, "gradient call returned a non-finite gradient", call.seq
    )
    if origin is None:
        cause = _forward_or_given(trace, call, call_mark)
        return NonFinite(nan, inf, cause, None, cause.evidence[0].line if cause.evidence else None)
    event = origin.event
    if isinstance(event, GradientSumEvent):
        cause = _sum_overflow(trace, event, call_mark)
        return NonFinite(nan, inf, cause, "sum of gradients", event.line, event.seq)
    assert isinstance(event, BackwardStepEvent)
    cause, op_name, line = _classify(trace, event, origin, call_mark)
    return NonFinite(nan, inf, cause, op_name, line, event.seq)


def _step_mark(event: BackwardStepEvent, text: str) -> Evidence:
    return Evidence(event.file, event.line, text, event.seq)


def _where(line: int | None) -> str:
    return f"line {line}" if line is not None else "an unknown line"


def _classify(
    trace: Trace, event: BackwardStepEvent, origin: _Origin, call_mark: Evidence
) -> tuple[Cause, str, int | None]:
    op = trace.ops.get(event.op)
    upstream = event.upstream[0] if event.upstream else None
    if op is not None:
        bad_input = next((r for r in op.inputs if nonfinite(trace, r)), None)
        if bad_input is not None:
            return _from_forward(trace, bad_input, event, call_mark)
    positions = _bad_positions(trace, origin.produced)
    position = positions[0] if positions else None
    up = _number(_at(rule_value(trace, upstream), position))
    discarding = _discarded(trace, op) if op is not None and up == 0 else None
    if op is not None and discarding is not None:
        cause = _where_trap(trace, event, op, origin, position, discarding, call_mark)
        return cause, event.op_type, event.line
    if op is not None and any(
        _at(rule_value(trace, r), position) is not None
        and is_bad(_at(rule_value(trace, r), position))
        for r in op.outputs
    ):
        first = op.outputs[0]
        return _from_forward(trace, first, event, call_mark)
    return _local(trace, event, op, origin, position, up, call_mark), event.op_type, event.line


def _name(trace: Trace, ref: int) -> str:
    """The scenario's name for a value; a variable's read is the variable."""
    tensor = trace.tensors.get(ref)
    op = trace.ops.get(tensor.producer) if tensor and tensor.producer is not None else None
    if op is not None and op.op_type == "ReadVariableOp" and not tensor.name and op.inputs:
        return label(trace, op.inputs[0])
    return label(trace, ref)


def _inputs_text(trace: Trace, op: OpEvent | None, position: int | None) -> str:
    if op is None:
        return "its inputs (not recorded)"
    parts = []
    for ref in op.inputs:
        tensor = trace.tensors.get(ref)
        if tensor is not None and tensor.dtype in ("int32", "int64", "resource", "bool"):
            continue
        value = _at(rule_value(trace, ref), position)
        name = _name(trace, ref)
        if value is not None and not name.startswith("constant "):
            parts.append(f"{name} = {format_data(value)}")
    return ", ".join(parts) or "its inputs"


def _local_at(
    op: OpEvent, index: int, trace: Trace, position: int | None
) -> tuple[str | None, float | None, bool]:
    """The rule, its local value at ``position``, and whether it could be computed there."""
    inputs = [_at(rule_value(trace, r), position) for r in op.inputs]
    outputs = [_at(rule_value(trace, r), position) for r in op.outputs]
    if None in inputs[: index + 1]:
        return None, None, False
    partial = local_partial(op.op_type, index, inputs, outputs, 1.0, op.attrs)
    if partial is None:
        return None, None, False
    if partial.local is None:  # the rule divided by zero (or overflowed) at this input
        return partial.rule, math.inf, True
    local = _number(_at(partial.local, 0))
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
    where = f"`{event.op_type}` ({_where(event.line)})"
    values = _inputs_text(trace, op, position)
    produced = format_data(_at(rule_value(trace, origin.produced), position))
    mark = _step_mark(
        event, f"{event.op_type}: backward produced {produced} from a finite upstream"
    )
    if known and local is not None and math.isfinite(local) and up is not None:
        sentence = (
            f"the forward pass is finite, but the backward step of {where} multiplies the "
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
    return any(_number(_at(rule_value(trace, r), position)) == 0 for r in op.inputs)


def _discarded(trace: Trace, op: OpEvent) -> OpEvent | None:
    """The ``tf.where`` (``Select``) or multiplication by 0 downstream that the op's value
    reaches, if any."""
    consumers: dict[int, list[OpEvent]] = {}
    for other in trace.ops.values():
        if not other.backward:
            for ref in other.inputs:
                consumers.setdefault(ref, []).append(other)
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
    return any(0.0 in [_number(x) for x in flat(rule_value(trace, r))] for r in others)


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
    values = _inputs_text(trace, op, position)
    derivative = (
        f"its derivative {rule} is infinite there" if rule else "its derivative is infinite"
    )
    produced = format_data(_at(rule_value(trace, origin.produced), position))
    how = "tf.where" if discarding.op_type in SELECT_OPS else "a multiplication by 0"
    sentence = (
        f"{how} ({discarding.op_type}, {_where(discarding.line)}) discarded the value of "
        f"`{event.op_type}` ({_where(event.line)}) at {values}, so the gradient arriving there "
        f"is 0; but {derivative}, and 0 × inf = {produced}."
    )
    marks = [
        _step_mark(event, f"{event.op_type}: upstream 0 × infinite derivative = {produced}"),
        Evidence(discarding.file, discarding.line, f"{how} discarded the branch", discarding.seq),
        call_mark,
    ]
    return Cause("where_trap", sentence, FIXES["where_trap"], marks)


def _makes_nonfinite(trace: Trace, op: OpEvent) -> bool:
    return any(nonfinite(trace, r) for r in op.outputs) and not any(
        nonfinite(trace, r) for r in op.inputs
    )


def _raw_data(trace: Trace, ops: list[OpEvent]) -> int | None:
    for op in ops:
        for r in op.inputs:
            tensor = trace.tensors.get(r)
            if nonfinite(trace, r) and tensor is not None and tensor.producer is None:
                return r
    return None


def _first_forward(
    trace: Trace, ref: int, differentiated: list[OpEvent]
) -> tuple[OpEvent | None, int | None]:
    """The first forward op (in time) whose output was non-finite while its inputs were finite,
    among ``ref``'s ancestors, else among the ops the call differentiated; else the non-finite
    data it came from."""
    ancestors = sorted((trace.ops[o] for o in _ancestors(trace, ref)), key=lambda o: o.seq)
    for group in (ancestors, differentiated):
        made = next((op for op in group if _makes_nonfinite(trace, op)), None)
        if made is not None:
            return made, None
    data = _raw_data(trace, ancestors) or _raw_data(trace, differentiated)
    if data is not None:
        return None, data
    tensor = trace.tensors.get(ref)
    if tensor is not None and tensor.producer is None and nonfinite(trace, ref):
        return None, ref
    forward = sorted((o for o in trace.ops.values() if not o.backward), key=lambda o: o.seq)
    return next((op for op in forward if _makes_nonfinite(trace, op)), None), None


def _differentiated(trace: Trace, call: int) -> list[OpEvent]:
    """The forward ops whose backward steps ran in the call, in forward order."""
    ops = {
        e.op: trace.ops[e.op]
        for e in trace.events
        if type(e) is BackwardStepEvent and e.call == call and e.op in trace.ops
    }
    return sorted(ops.values(), key=lambda o: o.seq)


def _from_forward(
    trace: Trace, bad: int, event: BackwardStepEvent, call_mark: Evidence
) -> tuple[Cause, str, int | None]:
    op, data = _first_forward(trace, bad, _differentiated(trace, event.call))
    step = _step_mark(event, f"{event.op_type}: a forward value it uses is non-finite")
    if op is not None:
        values = _inputs_text(trace, op, _first_bad_output(trace, op))
        out = next((r for r in op.outputs if nonfinite(trace, r)), op.outputs[0])
        sentence = (
            f"the forward pass was already non-finite: `{op.op_type}` ({_where(op.line)}) made "
            f"{label(trace, out)} = {format_data(rule_value(trace, out))} from {values}, and "
            f"the backward pass through {event.op_type} ({_where(event.line)}) carries it into "
            "the gradient."
        )
        fix = (
            f"make {op.op_type}'s input stay in range: e.g. a stable form (tf.nn.log_softmax, "
            "tf.math.reduce_logsumexp, tf.math.log1p), clip its input, or normalise the data"
        )
        marks = [Evidence(op.file, op.line, f"{op.op_type} output is non-finite", op.seq), step]
        return Cause("nan_in_forward", sentence, fix, [*marks, call_mark]), op.op_type, op.line
    tensor = trace.tensors.get(data) if data is not None else None
    line = tensor.line if tensor is not None else None
    what = label(trace, data) if data is not None else "a value"
    sentence = (
        f"the data was already non-finite: `{what}` ({_where(line)}) holds "
        f"{_counts_text(trace, data)} before any op used it, and every gradient computed "
        f"through it ({event.op_type}, {_where(event.line)}) is non-finite."
    )
    fix = f"clean `{what}` before it reaches the model (tf.where(tf.math.is_nan(v), 0.0, v), "
    fix += "drop the rows, or impute), or check it with tf.debugging.check_numerics"
    marks = [Evidence(tensor.file if tensor else None, line, f"{what} holds NaN/Inf", None), step]
    return Cause("nan_in_forward", sentence, fix, [*marks, call_mark]), "data", line


def _first_bad_output(trace: Trace, op: OpEvent) -> int | None:
    for r in op.outputs:
        found = _bad_positions(trace, r)
        if found:
            return found[0]
    return None


def _counts_text(trace: Trace, ref: int | None) -> str:
    nan, inf = counts(trace, ref)
    parts = [f"{nan} NaN"] if nan else []
    parts += [f"{inf} Inf"] if inf else []
    return " and ".join(parts) or "non-finite values"


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
    return Cause("overflow", sentence, FIXES["overflow"], [mark, call_mark])


def _forward_or_given(trace: Trace, call: GradientCall, call_mark: Evidence) -> Cause:
    """No step made the value from finite ones: it arrived non-finite (the target, or the
    output_gradients the call was given)."""
    for ref in call.target_ids:
        if ref is not None and nonfinite(trace, ref):
            op, data = _first_forward(trace, ref, _differentiated(trace, call.id))
            where = op.line if op is not None else None
            name = op.op_type if op is not None else label(trace, data)
            sentence = (
                f"the target {label(trace, ref)} is already non-finite in the forward pass "
                f"(first made by {name}, {_where(where)})."
            )
            marks = [Evidence(op.file if op else None, where, f"{name} is non-finite", None)]
            fix = f"make {name} stay finite (a stable form, clipping, or clean data)"
            return Cause("nan_in_forward", sentence, fix, [*marks, call_mark])
    sentence = (
        "the gradient arrived non-finite at the first backward step: the output_gradients "
        f"given to the call at line {call.line} (or the target's seed) are non-finite."
    )
    return Cause("nan_in_forward", sentence, "check the output_gradients passed in", [call_mark])
