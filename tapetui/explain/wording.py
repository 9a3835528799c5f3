"""The sentences, fixes and evidence of each cause, in the scenario's own names and lines."""

from __future__ import annotations

from tapetui.explain.causes import Cause, Evidence
from tapetui.explain.context import CallContext, at, tape_name
from tapetui.explain.dataflow import Link
from tapetui.explain.recording import TapeView
from tapetui.trace.events import AssignEvent, BoundaryEvent, Event, OpEvent, VariableCreatedEvent

_HOW = {
    "numpy": "`.numpy()`",
    "float": "`float()`",
    "int": "`int()`",
    "bool": "`bool()`",
    "array": "a NumPy conversion",
}


def _origin(ctx: CallContext, source: int) -> Evidence | None:
    """Where the source came to be: its variable's creation, or the op/constant that made it."""
    for event in ctx.trace.events:
        if isinstance(event, VariableCreatedEvent) and event.variable == source:
            return ctx.evidence(event, f"{ctx.name(source)} created")
    tensor = ctx.trace.tensors.get(source)
    op = ctx.trace.ops.get(tensor.producer) if tensor and tensor.producer is not None else None
    if op is not None:
        return ctx.evidence(op, f"{ctx.name(source)} computed by {op.function or op.op_type}")
    if tensor is not None and tensor.line is not None:
        return Evidence(tensor.file, tensor.line, f"{ctx.name(source)} created", None)
    return None


def _cause(code: str, sentence: str, fix: str, *evidence: Evidence | None) -> Cause:
    return Cause(code, sentence, fix, [e for e in evidence if e is not None])


def no_path(ctx: CallContext, source: int) -> Cause:
    s, t = ctx.name(source), ctx.target_name
    uses = [link.op for link in ctx.flow.forward.get(source, ()) if link.op is not None]
    used = (
        f" ({s} is used at {at(uses[0].line)}, but nothing from there reaches {t})" if uses else ""
    )
    return _cause(
        "no_path",
        f"{t} does not depend on {s}: no operation the scenario ran connects them{used}.",
        f"Compute {t} from {s} (check it is the right variable or layer), "
        f"or leave {s} out of the sources.",
        _origin(ctx, source),
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
    s, t, stmt = ctx.name(source), ctx.target_name, ctx.statement(op)
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
    else:
        sentence = (
            f"{op.function or op.op_type} in {stmt} has no gradient: TensorFlow treats its "
            f"result as a constant, so nothing flows from {t} back to {s}."
        )
        fix = "Use a differentiable stand-in (softmax/sigmoid instead of argmax/round, a "
        fix += "straight-through estimator `x + tf.stop_gradient(tf.round(x) - x)`)."
    where = ctx.evidence(op, f"{op.function or op.op_type}: the gradient stops here")
    return _cause(code, sentence, fix, _origin(ctx, source), where, ctx.call_evidence())


def _left_tensorflow(ctx: CallContext, source: int, link: Link) -> Cause:
    out, back = (e for e in link.evidence if isinstance(e, BoundaryEvent))
    how = _HOW.get(out.how, f"`{out.how}`" if out.how else "a conversion")
    s, t = ctx.name(source), ctx.target_name
    returned = ctx.name(back.tensor)
    sentence = (
        f"{ctx.name(out.tensor)} left TensorFlow through {how} in {ctx.statement(out)} and "
        f"came back as the new constant {returned} in {ctx.statement(back)}; the tape cannot "
        f"follow values through NumPy or Python, so nothing flows from {t} back to {s}."
    )
    fix = (
        "Keep the computation in TensorFlow between the source and the target: tf ops "
        "(`tf.reduce_mean`, `tf.square` …) instead of `.numpy()`, `float()`, `np.*`, and "
        "`model(x)` instead of `model.predict(x)`."
    )
    return _cause(
        "left_tensorflow",
        sentence,
        fix,
        _origin(ctx, source),
        ctx.evidence(out, f"{ctx.name(out.tensor)} left TensorFlow ({how})"),
        ctx.evidence(back, f"{returned} entered TensorFlow as a new constant"),
        ctx.call_evidence(),
    )


def _assigned(ctx: CallContext, source: int, link: Link) -> Cause:
    event = next(e for e in link.evidence if isinstance(e, AssignEvent))
    s, t, v = ctx.name(source), ctx.target_name, ctx.name(event.variable)
    sentence = (
        f"{s} reaches {t} only through {ctx.statement(event)}, which stores a value in {v} "
        f"with `{event.method}`; gradients do not flow through assignments."
    )
    fix = (
        f"Use the expression itself in {t} (e.g. `{v.strip('`')} + ...` as a tensor) instead of "
        f"assigning it into {v} before computing {t}."
    )
    where = ctx.evidence(event, f"{v}.{event.method}(...) cuts the gradient")
    return _cause(
        "stateful_assign", sentence, fix, _origin(ctx, source), where, ctx.call_evidence()
    )


def other_tape(ctx: CallContext, source: int, other: TapeView, path: list[Link]) -> Cause:
    s, t, asked, keeper = ctx.name(source), ctx.target_name, ctx.tape_name, tape_name(other.tape)
    sentence = (
        f"{keeper} (line {other.tape.line}) recorded the computation of {t} from {s}, but the "
        f"gradient was asked of {asked} (line {ctx.view.tape.line}), which did not."
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
            f"{tape} recorded {stmt}, but `{tape.strip('`')}.reset()` at {at(reset.line)} erased "
            f"it before the gradient call at {at(ctx.call.line)}."
        )
        fix = f"Compute {t} after `reset()`, or reset only after taking this gradient."
        marks = [ctx.evidence(reset, f"{tape}.reset() dropped the recording")]
    elif code == "stop_recording":
        stop = view.stopped_at(op.seq)
        assert stop is not None
        sentence = (
            f"{stmt} ran inside `with {tape.strip('`')}.stop_recording():` "
            f"({at(stop.line)}), so the tape did not record it."
        )
        fix = "Move it out of the `stop_recording()` block."
        marks = [ctx.evidence(stop, "recording paused here")]
    else:
        sentence, marks = _outside(ctx, op)
        fix = f"Move it inside the `with` block of {tape} ({at(view.tape.line)})."
    marks.insert(0, ctx.evidence(op, f"not recorded by {tape}"))
    return _cause(code, sentence, fix, _origin(ctx, source), *marks, ctx.call_evidence())


def _outside(ctx: CallContext, op: OpEvent) -> tuple[str, list[Evidence]]:
    view, tape, stmt = ctx.view, ctx.tape_name, ctx.statement(op)
    if view.before_enter(op.seq):
        enter = view.enter
        line = enter.line if enter is not None else view.tape.line
        sentence = f"{stmt} ran before {tape} started recording at {at(line)}."
        event: Event | None = enter
    else:
        event = view.exit
        sentence = f"{stmt} ran after the `with` block of {tape} ({at(view.tape.line)}) had ended."
    if event is None:
        return sentence, []
    return sentence, [ctx.evidence(event, f"{tape} {'starts' if event is view.enter else 'ends'}")]
