"""The sentences, fixes and evidence of each cause, in the scenario's own names and lines."""

from __future__ import annotations

from tapetui.explain.causes import Cause, Evidence
from tapetui.explain.context import CallContext, at, tape_name
from tapetui.explain.links import Link
from tapetui.explain.recording import TapeView
from tapetui.trace.events import (
    AssignEvent,
    BackwardStepEvent,
    BoundaryEvent,
    Event,
    MissingGradientsEvent,
    OpEvent,
)

_ASSIGN_METHODS = {
    "AssignVariableOp": "assign",
    "AssignAddVariableOp": "assign_add",
    "AssignSubVariableOp": "assign_sub",
}

_HOW = {
    "numpy": "`.numpy()`",
    "float": "`float()`",
    "int": "`int()`",
    "bool": "`bool()`",
    "array": "a NumPy conversion",
    "numpy_function": "`tf.numpy_function`, which hands its Python function NumPy arrays,",
}


def how_it_left(event: BoundaryEvent) -> str:
    """How a value left TensorFlow, in words (`` `.numpy()` ``, ``a NumPy conversion`` …)."""
    return _HOW.get(event.how, f"`{event.how}`" if event.how else "a conversion")


def _cause(code: str, sentence: str, fix: str, *evidence: Evidence | None) -> Cause:
    return Cause(code, sentence, fix, in_order([e for e in evidence if e is not None]))


def in_order(evidence: list[Evidence]) -> list[Evidence]:
    """Evidence in timeline order (items without a seq go by line), without repeats."""
    unique = list({(e.seq, e.line, e.text): e for e in evidence}.values())
    return sorted(unique, key=lambda e: (e.seq if e.seq is not None else -1, e.line or 0))


def no_path(ctx: CallContext, source: int) -> Cause:
    s, t = ctx.name(source), ctx.target_name
    first_use = ctx.flow.first_use(source, before=ctx.call.seq)
    uses = [first_use] if first_use is not None else []
    used = (
        f" ({s} is used at {at(uses[0].line, uses[0].file)}, but nothing from there reaches {t})"
        if uses
        else ""
    )
    return _cause(
        "no_path",
        f"{t} does not depend on {s}: no operation the scenario ran connects them{used}.",
        f"Compute {t} from {s} (check it is the right variable or layer), "
        f"or leave {s} out of the sources.",
        ctx.origin(source),
        ctx.evidence(uses[0], f"{s} used here, not on the way to {t}") if uses else None,
        ctx.call_evidence(),
    )


def crossing(ctx: CallContext, source: int, link: Link) -> Cause:
    """A link on every path that gradients cannot cross."""
    code = link.code or ""
    if code == "left_tensorflow":
        return _left_tensorflow(ctx, source, link)
    if code == "stateful_assign":
        return _assigned(ctx, source, link)
    op = link.op
    assert op is not None
    assert isinstance(link.dst, int)  # an op's link ends at one of the op's outputs
    s, t, stmt = ctx.name(source), ctx.target_name, ctx.statement(op)
    custom = _custom_step(ctx, op) if code == "non_differentiable_op" else None
    if code == "stop_gradient":
        sentence = f"`tf.stop_gradient` in {stmt} blocks every path from {s} to {t}."
        fix = f"Remove `tf.stop_gradient` there if {s} should get a gradient through it."
    elif code == "non_float_dtype":
        dtype = ctx.flow.dtype(link.dst)
        sentence = (
            f"{stmt} turns the value into {dtype} ({ctx.name(link.dst)}); gradients only flow "
            f"through floating-point values, so nothing flows from {t} back to {s}."
        )
        fix = "Keep the path from the source to the target in floating point (cast to an "
        fix += "integer only after taking the gradient)."
    elif custom is not None:
        sentence = (
            f"The `tf.custom_gradient` function `{custom.op_type}` called in {stmt} returned "
            f"None as the gradient of its input, so nothing flows from {t} back to {s}."
        )
        fix = f"Make the gradient function of `{custom.op_type}` return a tensor for each "
        fix += "input (`dy * …`, or `tf.zeros_like(x)` for a deliberate zero), not None."
    else:
        sentence = (
            f"{op.function or op.op_type} in {stmt} has no gradient: TensorFlow treats its "
            f"result as a constant, so nothing flows from {t} back to {s}."
        )
        fix = "Use a differentiable stand-in (softmax/sigmoid instead of argmax/round, a "
        fix += "straight-through estimator `x + tf.stop_gradient(tf.round(x) - x)`)."
    stopped = custom.op_type if custom is not None else op.function or op.op_type
    where = ctx.evidence(op, f"{stopped}: the gradient stops here")
    return _cause(code, sentence, fix, ctx.origin(source), where, ctx.call_evidence())


def _left_tensorflow(ctx: CallContext, source: int, link: Link) -> Cause:
    out, back = link.evidence[0], link.evidence[-1]
    assert isinstance(back, BoundaryEvent)
    assert isinstance(link.src, int)  # the value that left TensorFlow is a tensor
    s, t, left = ctx.name(source), ctx.target_name, ctx.name(link.src)
    if isinstance(out, BoundaryEvent):
        how = how_it_left(out)
        sentence = f"{left} left TensorFlow through {how} in {ctx.statement(out)} and "
    elif isinstance(out, OpEvent) and out.function is None:  # read through NumPy's buffer
        how = "NumPy (`np.asarray`, `np.array` or a NumPy function)"
        sentence = f"{left}, made in {ctx.statement(out)}, was read by {how} and "
    else:
        function = out.function if isinstance(out, OpEvent) else None
        left = how = f"the result of `{function or 'a function'}`"
        sentence = f"{left} in {ctx.statement(out)} went back to Python/NumPy and "
    value = ctx.trace.tensors.get(back.tensor)
    came = f"the new constant {ctx.name(back.tensor)}"
    if value is None or not value.name:
        came = "a new constant"
    where = _entered_where(ctx, out, back)
    if link.weak:
        sentence += (
            f"{came} entered TensorFlow afterwards{where}; nothing else connects {s} to {t}, "
            f"so {t} was most likely computed in NumPy or Python from {left}, where the tape "
            "cannot follow it."
        )
    else:
        sentence += (
            f"came back as {came}{where}; the tape cannot follow values through NumPy or "
            f"Python, so nothing flows from {t} back to {s}."
        )
    fix = (
        "Keep the computation in TensorFlow between the source and the target: tf ops "
        "(`tf.reduce_mean`, `tf.square` …) instead of `.numpy()`, `float()`, `np.*`, and "
        "`model(x)` instead of `model.predict(x)`."
    )
    if isinstance(out, BoundaryEvent) and out.how == "numpy_function":
        fix = (
            "Write the function with TensorFlow ops so the tape can follow it, or give it a "
            "gradient of its own with `@tf.custom_gradient`; `tf.numpy_function` has none."
        )
    return _cause(
        "left_tensorflow",
        sentence[0].upper() + sentence[1:],
        fix,
        ctx.origin(source),
        ctx.evidence(out, f"{left} left TensorFlow ({how})"),
        ctx.evidence(back, "a new constant entered TensorFlow")
        if _placed(ctx, out, back)
        else None,
        ctx.call_evidence(),
    )


def _custom_step(ctx: CallContext, op: OpEvent) -> BackwardStepEvent | None:
    """The backward step of ``op`` in this call when it was a ``tf.custom_gradient``'s."""
    steps = ctx.flow.backward_steps.get(ctx.call.id, [])
    return next((e for e in steps if e.op == op.op and e.custom), None)


def _entered_where(ctx: CallContext, out: Event, back: BoundaryEvent) -> str:
    """Where the value came back into TensorFlow, as far as the recording knows: a constant is
    first seen where an op used it (made on that line, or earlier), or when the scenario bound
    a name to it (a tape's exit, a gradient call: no line worth naming)."""
    if (back.line or 0) < (out.line or 0) or not _first_seen_by_an_op(ctx, back):
        return ""
    if back.line == out.line and back.file == out.file:
        return f" in {ctx.statement(back)}"
    return f", first used in {ctx.statement(back)}"


def _placed(ctx: CallContext, out: Event, back: BoundaryEvent) -> bool:
    """Whether the constant's recorded line is one where it was made or used: the line it left
    on, or an op's that took it (not a tape's exit or a gradient call, where it was named)."""
    return (back.file, back.line) == (out.file, out.line) or _first_seen_by_an_op(ctx, back)


def _first_seen_by_an_op(ctx: CallContext, back: BoundaryEvent) -> bool:
    """Whether the op right after the crossing (the one the recorder saw it for) took it."""
    events = ctx.trace.events
    start = back.seq + 1 if back.seq < len(events) and events[back.seq] is back else None
    following = events[start:] if start is not None else (e for e in events if e.seq > back.seq)
    for event in following:
        if isinstance(event, BoundaryEvent) and event.direction == "in":
            continue  # the op's other new inputs, seen with it
        return isinstance(event, OpEvent) and back.tensor in event.inputs
    return False


def _assigned(ctx: CallContext, source: int, link: Link) -> Cause:
    event = link.evidence[0]
    if isinstance(event, AssignEvent):
        variable, method = event.variable, event.method
    else:
        assert isinstance(event, OpEvent)
        variable, method = event.inputs[0], _ASSIGN_METHODS.get(event.op_type, "assign")
    s, t, v = ctx.name(source), ctx.target_name, ctx.name(variable)
    sentence = (
        f"{s} reaches {t} only through {ctx.statement(event)}, which stores a value in {v} "
        f"with `{method}`; gradients do not flow through assignments."
    )
    fix = (
        f"Use the expression itself in {t} (e.g. `{v.strip('`')} + ...` as a tensor) instead of "
        f"assigning it into {v} before computing {t}."
    )
    where = ctx.evidence(event, f"{v.strip('`')}.{method}(...) cuts the gradient")
    return _cause("stateful_assign", sentence, fix, ctx.origin(source), where, ctx.call_evidence())


def other_tape(ctx: CallContext, source: int, other: TapeView, path: list[Link]) -> Cause:
    s, t, asked, keeper = ctx.name(source), ctx.target_name, ctx.tape_name, tape_name(other.tape)
    sentence = (
        f"{keeper} ({at(other.tape.line, other.tape.file)}) recorded the computation of {t} from {s}, but the "
        f"gradient was asked of {asked} ({at(ctx.view.tape.line, ctx.view.tape.file)}), which did not."
    )
    ops = [link.op for link in path if link.op is not None]
    return _cause(
        "other_tape",
        sentence,
        f"Call `{keeper.strip('`')}.{ctx.call.method}(...)` instead, or compute {t} while "
        f"{asked} is recording.",
        Evidence(other.tape.file, other.tape.line, f"{keeper} created", other.tape.enter_seq),
        ctx.evidence(ops[0], f"recorded by {keeper}, not {asked}") if ops else None,
        ctx.call_evidence(),
    )


def not_kept(ctx: CallContext, source: int, op: OpEvent, code: str) -> Cause:
    """The asked tape did not keep ``op`` because of when it ran."""
    view, tape = ctx.view, ctx.tape_name
    stmt, t = ctx.statement(op), ctx.target_name
    if code == "tape_reset":
        reset = view.reset_after(op.seq)
        assert reset is not None
        sentence = (
            f"{tape} recorded {stmt}, but `{tape.strip('`')}.reset()` at {at(reset.line, reset.file)} erased "
            f"it before the gradient call at {at(ctx.call.line, ctx.call.file)}."
        )
        fix = f"Compute {t} after `reset()`, or reset only after taking this gradient."
        marks = [ctx.evidence(reset, f"{tape.strip('`')}.reset() dropped the recording")]
    elif code == "stop_recording":
        stop = view.stopped_at(op.seq)
        assert stop is not None
        sentence = (
            f"{stmt} ran inside `with {tape.strip('`')}.stop_recording():` "
            f"({at(stop.line, stop.file)}), so the tape did not record it."
        )
        fix = "Move it out of the `stop_recording()` block."
        marks = [ctx.evidence(stop, "recording paused here")]
    else:
        sentence, marks = _outside(ctx, op)
        fix = f"Move it inside the `with` block of {tape} ({at(view.tape.line, view.tape.file)})."
    marks.insert(0, ctx.evidence(op, f"not recorded by {tape}"))
    return _cause(code, sentence, fix, ctx.origin(source), *marks, ctx.call_evidence())


def _outside(ctx: CallContext, op: OpEvent) -> tuple[str, list[Evidence]]:
    view, tape, stmt = ctx.view, ctx.tape_name, ctx.statement(op)
    if view.before_enter(op.seq):
        enter = view.enter
        began = enter if enter is not None else view.tape
        sentence = f"{stmt} ran before {tape} started recording at {at(began.line, began.file)}."
        event: Event | None = enter
    else:
        event = view.exit
        sentence = f"{stmt} ran after the `with` block of {tape} ({at(view.tape.line, view.tape.file)}) had ended."
    if event is None:
        return sentence, []
    return sentence, [ctx.evidence(event, f"{tape} {'starts' if event is view.enter else 'ends'}")]


# --- an optimizer given None gradients ---------------------------------------------------------

_PLACE = "\x00"
"""Stands for the variable's name while causes are grouped."""


def no_gradients_provided(
    ctx: CallContext, event: MissingGradientsEvent, results: list[Cause | None]
) -> tuple[str, str, list[Evidence]]:
    """The sentence, fix and evidence of ``no_gradients_provided``: the optimizer raised, and
    the gradient call in ``ctx`` returned ``None`` for every one of its variables."""
    groups = _groups(ctx, event, results)
    sentence = (
        f"The optimizer raised `ValueError: No gradients provided for any variable` at "
        f"{at(event.line, event.file)}: all {len(event.variables)} gradients it was given are None. They "
        f"are what {_call_text(ctx)} returned, where {_reasons(groups)}."
    )
    fixes = [cause.fix for cause in (g[2] for g in groups) if cause is not None]
    fix = fixes[0] if fixes else "Step through the gradient call (key b) to see where it stops."
    evidence = [ctx.call_evidence()]
    for _, _, cause in groups:
        if cause is not None:
            evidence += [e for e in cause.evidence if e.seq != ctx.call.seq][-1:]
    return sentence, fix, in_order(evidence)


def missing_gradients_warning(
    ctx: CallContext, event: MissingGradientsEvent, results: list[Cause | None]
) -> str:
    """The note: Keras warned that some variables have no gradient, and skipped them."""
    groups = _groups(ctx, event, results)
    names = _names([name for group in groups for name in group[1]])
    return (
        f"The optimizer at {at(event.line, event.file)} warned that gradients do not exist for {names} and "
        "did not update them (Keras 3 warns with a UserWarning, which Python by default "
        "prints only once; Keras 2 logs it at each step); "
        f"{_reasons(groups)}."
    )


def no_gradients_unlinked(event: MissingGradientsEvent) -> str:
    """The sentence of ``no_gradients_provided`` when no recorded call returned the Nones."""
    return (
        f"The optimizer raised `ValueError: No gradients provided for any variable` at "
        f"{at(event.line, event.file)}: all {len(event.variables)} gradients it was given are None, and no "
        "recorded gradient call returned them (they were made without `tape.gradient`, or "
        "before recording in detail)."
    )


Group = tuple[str, list[str], Cause | None]
"""A reason with the variable's place marked, the variables it is the reason for, one cause."""


def _groups(
    ctx: CallContext, event: MissingGradientsEvent, results: list[Cause | None]
) -> list[Group]:
    """The optimizer's variables without a gradient, grouped by the same reason."""
    groups: dict[str, Group] = {}
    sources = ctx.call.source_ids
    for var, grad in zip(event.variables, event.gradients, strict=False):
        if grad is not None:
            continue
        index = sources.index(var) if var in sources else None
        cause = results[index] if index is not None and index < len(results) else None
        name = ctx.name(var)
        reason = _clause(cause.sentence).replace(name, _PLACE) if cause else ""
        key = f"{cause.code if cause else ''}|{reason}"
        group = groups.setdefault(key, (reason, [], cause))
        group[1].append(name)
    return list(groups.values())


def _reasons(groups: list[Group]) -> str:
    """``dense/kernel and dense/bias: Round in `…` (line 6) has no gradient (non_differentiable_op)``."""
    parts = []
    for reason, names, cause in groups:
        joined = _names(names)
        if cause is None:
            parts.append(f"{joined} got None for a reason tapetui did not find")
        elif _PLACE in reason:
            parts.append(f"{reason.replace(_PLACE, joined)} ({cause.code})")
        else:
            parts.append(f"for {joined}, {reason} ({cause.code})")
    return "; ".join(parts)


def _call_text(ctx: CallContext) -> str:
    call = ctx.call
    return f"gradient call {call.id} (`{call.method}` of {ctx.target_name} at {at(call.line, call.file)})"


def _names(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _clause(sentence: str) -> str:
    """The sentence up to its first ``:`` or ``;`` outside backticks, without the full stop."""
    quoted = False
    for i, char in enumerate(sentence):
        if char == "`":
            quoted = not quoted
        elif char in ":;" and not quoted:
            return sentence[:i].strip()
    return sentence.strip().rstrip(".")
