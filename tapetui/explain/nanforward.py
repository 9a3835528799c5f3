"""Where a non-finite forward value came from: the first op that made one from finite inputs,
or the data that already held it (the ``nan_in_forward`` cause)."""

from __future__ import annotations

import math

from tapetui.explain.backward import rule_value
from tapetui.explain.causes import Cause, Evidence
from tapetui.explain.finite import (
    at_line,
    bad_positions,
    counts,
    flat,
    index_of,
    inputs_text,
    nonfinite,
    step_mark,
)
from tapetui.explain.nanlocal import FIXES, SELECT_OPS, discarded
from tapetui.trace.events import AssignEvent, BackwardStepEvent, OpEvent
from tapetui.trace.labels import format_data, label
from tapetui.trace.model import GradientCall, Trace


def producers_of(trace: Trace, ref: int) -> set[int]:
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


def first_forward(
    trace: Trace, ref: int, differentiated: list[OpEvent]
) -> tuple[OpEvent | None, int | None]:
    """The first forward op (in time) whose output was non-finite while its inputs were finite,
    among ``ref``'s ancestors, else among the ops the call differentiated; else the non-finite
    data it came from."""
    ancestors = sorted((trace.ops[o] for o in producers_of(trace, ref)), key=lambda o: o.seq)
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


_DIVISIONS = frozenset({"RealDiv", "Div", "Reciprocal", "Inv", "Xdivy", "Rsqrt"})
_WIDER = {"float16": "float32", "bfloat16": "float32"}
_STABLE_FORMS = frozenset({"Exp", "Expm1", "Log", "Log1p", "Softplus", "Sigmoid", "Pow"})


def forward_fix(trace: Trace, op: OpEvent) -> str:
    """What keeps this op's output finite: a safe divisor for a division, a range the values
    stay in for an op that overflowed from finite inputs, else a stable form of the op."""
    if op.op_type in _DIVISIONS:
        return (
            "keep the divisor away from 0: add a small epsilon to it (`x / (d + 1e-7)`), or use "
            "tf.math.divide_no_nan where 0/0 should count as 0"
        )
    if op.op_type not in _STABLE_FORMS and _overflowed(trace, op):
        out = trace.tensors.get(op.outputs[0]) if op.outputs else None
        dtype = out.dtype if out is not None else "float32"
        return (
            f"the values grew past {dtype}'s range: normalise the inputs, lower the learning rate "
            "or clip the gradients (tf.clip_by_global_norm) so the weights stay small, or compute "
            f"this part in {_WIDER.get(dtype, 'float64')}"
        )
    return (
        f"make {op.op_type}'s input stay in range: e.g. a stable form (tf.nn.log_softmax, "
        "tf.math.reduce_logsumexp, tf.math.log1p), clip its input, or normalise the data"
    )


def _overflowed(trace: Trace, op: OpEvent) -> bool:
    """Whether the op made ±inf (and no NaN) from finite inputs."""
    if any(nonfinite(trace, ref) for ref in op.inputs):
        return False
    values = [v for ref in op.outputs for v in flat(rule_value(trace, ref))]
    return any(v in ("inf", "-inf") or v in (math.inf, -math.inf) for v in values) and not any(
        v == "nan" or (isinstance(v, float) and math.isnan(v)) for v in values
    )


def differentiated_ops(trace: Trace, call: int) -> list[OpEvent]:
    """The forward ops whose backward steps ran in the call, in forward order."""
    ops = {
        e.op: trace.ops[e.op]
        for e in index_of(trace).by_call.get(call, [])
        if type(e) is BackwardStepEvent and e.op in trace.ops
    }
    return sorted(ops.values(), key=lambda o: o.seq)


def from_forward(
    trace: Trace, bad: int, event: BackwardStepEvent, call_mark: Evidence
) -> tuple[Cause, str, int | None]:
    op, data = first_forward(trace, bad, differentiated_ops(trace, event.call))
    step = step_mark(event, f"{event.op_type}: a forward value it uses is non-finite")
    if op is not None and op.op_type == "ReadVariableOp" and op.inputs:
        cause = _variable_read(trace, op, step, call_mark)
        return cause, op.op_type, op.line
    if op is not None:
        values = inputs_text(trace, op, _first_bad_output(trace, op))
        out = next((r for r in op.outputs if nonfinite(trace, r)), op.outputs[0])
        sentence = (
            f"the forward pass was already non-finite: `{op.op_type}` ({at_line(op.line, op.file)}) made "
            f"{label(trace, out)} = {format_data(rule_value(trace, out))} from {values}, and "
            f"the backward pass through {event.op_type} ({at_line(event.line, event.file)}) carries it into "
            "the gradient."
        )
        fix = forward_fix(trace, op)
        marks = [Evidence(op.file, op.line, f"{op.op_type} output is non-finite", op.seq), step]
        dropped = _dropped_by_where(trace, op)
        if dropped is not None:
            sentence += (
                f" `tf.where` ({at_line(dropped.line, dropped.file)}) left those values out of its result, "
                "but not out of the backward pass: the gradient of the branch it did not take "
                "is 0 there, and 0 × NaN/Inf is NaN."
            )
            fix = FIXES["where_trap"]
            marks.append(Evidence(dropped.file, dropped.line, "tf.where dropped it", dropped.seq))
        return Cause("nan_in_forward", sentence, fix, [*marks, call_mark]), op.op_type, op.line
    tensor = trace.tensors.get(data) if data is not None else None
    line = tensor.line if tensor is not None else None
    file = tensor.file if tensor is not None else None
    what = label(trace, data) if data is not None else "a value"
    sentence = (
        f"the data was already non-finite: `{what}` ({at_line(line, file)}) holds "
        f"{_counts_text(trace, data)} before any op used it, and every gradient computed "
        f"through it ({event.op_type}, {at_line(event.line, event.file)}) is non-finite."
    )
    fix = f"clean `{what}` before it reaches the model (tf.where(tf.math.is_nan(v), 0.0, v), "
    fix += "drop the rows, or impute), or check it with tf.debugging.check_numerics"
    marks = [Evidence(tensor.file if tensor else None, line, f"{what} holds NaN/Inf", None), step]
    return Cause("nan_in_forward", sentence, fix, [*marks, call_mark]), "data", line


def _variable_read(trace: Trace, op: OpEvent, step: Evidence, call_mark: Evidence) -> Cause:
    """A variable that already held NaN/Inf when the tape read it: an earlier update did it."""
    variable = op.inputs[0]
    out = op.outputs[0] if op.outputs else None
    assigned = [
        e
        for e in trace.events
        if type(e) is AssignEvent and e.variable == variable and e.seq < op.seq
    ]
    name = label(trace, variable)
    value = format_data(rule_value(trace, out)) if out is not None else "non-finite"
    sentence = (
        f"the variable `{name}` already held {value} when it was read ({at_line(op.line, op.file)})"
    )
    marks = [Evidence(op.file, op.line, f"{name} read as {value}", op.seq), step, call_mark]
    fix = (
        f"find the update that made `{name}` non-finite (a learning rate too large, an "
        "exploding gradient): lower the learning rate, clip the gradients, or check them with "
        "tf.debugging.check_numerics before applying them"
    )
    if not assigned:
        return Cause("nan_in_forward", sentence + ".", fix, marks)
    last = assigned[-1]
    sentence += f": the {last.method} at {at_line(last.line, last.file)} made it non-finite"
    marks.insert(0, Evidence(last.file, last.line, f"{name}.{last.method}(…)", last.seq))
    earlier = _bad_gradient_before(trace, variable, last.seq)
    if earlier is None:
        return Cause("nan_in_forward", sentence + ".", fix, marks)
    sentence += (
        f", applying the non-finite gradient that gradient call {earlier.id} "
        f"({at_line(earlier.line, earlier.file)}) had returned for `{name}`."
    )
    fix = (
        f"fix the non-finite gradient of gradient call {earlier.id} first (its own cause says "
        "why it is NaN/Inf): the update only carried it into the variable; "
        "tf.debugging.check_numerics on the gradients stops the run there"
    )
    marks.insert(0, Evidence(earlier.file, earlier.line, "a non-finite gradient", earlier.seq))
    return Cause("nan_in_forward", sentence, fix, marks)


def _bad_gradient_before(trace: Trace, variable: int, seq: int) -> GradientCall | None:
    """The latest gradient call before ``seq`` that returned a non-finite gradient for the
    variable (the one an optimizer's update then applied)."""
    found = None
    for call in trace.gradient_calls.values():
        if call.seq >= seq or variable not in call.source_ids:
            continue
        index = call.source_ids.index(variable)
        result = call.result_ids[index] if index < len(call.result_ids) else None
        if result is not None and nonfinite(trace, result):
            if found is None or call.seq > found.seq:
                found = call
    return found


def _dropped_by_where(trace: Trace, op: OpEvent) -> OpEvent | None:
    """The ``tf.where`` downstream whose result no longer holds the op's non-finite values."""
    where = discarded(trace, op)
    if where is None or where.op_type not in SELECT_OPS:
        return None
    return None if any(nonfinite(trace, r) for r in where.outputs) else where


def _first_bad_output(trace: Trace, op: OpEvent) -> int | None:
    for r in op.outputs:
        found = bad_positions(trace, r)
        if found:
            return found[0]
    return None


def _counts_text(trace: Trace, ref: int | None) -> str:
    nan, inf = counts(trace, ref)
    parts = [f"{nan} NaN"] if nan else []
    parts += [f"{inf} Inf"] if inf else []
    return " and ".join(parts) or "non-finite values"


def forward_or_given(trace: Trace, call: GradientCall, call_mark: Evidence) -> Cause:
    """No step made the value from finite ones: it arrived non-finite (the target, or the
    output_gradients the call was given)."""
    for ref in call.target_ids:
        if ref is not None and nonfinite(trace, ref):
            op, data = first_forward(trace, ref, differentiated_ops(trace, call.id))
            where = op.line if op is not None else None
            name = op.op_type if op is not None else label(trace, data)
            sentence = (
                f"the target {label(trace, ref)} is already non-finite in the forward pass "
                f"(first made by {name}, {at_line(where, op.file if op else None)})."
            )
            marks = [Evidence(op.file if op else None, where, f"{name} is non-finite", None)]
            fix = f"make {name} stay finite (a stable form, clipping, or clean data)"
            return Cause("nan_in_forward", sentence, fix, [*marks, call_mark])
    sentence = (
        "the gradient arrived non-finite at the first backward step: the output_gradients "
        f"given to the call at {at_line(call.line, call.file)} (or the target's seed) are non-finite."
    )
    return Cause("nan_in_forward", sentence, "check the output_gradients passed in", [call_mark])
