"""Causes on the source's side: the tape was recording, but it did not watch the source."""

from __future__ import annotations

from tapetui.explain.causes import Cause, Evidence
from tapetui.explain.context import CallContext, at
from tapetui.explain.wording import in_order
from tapetui.trace.events import OpEvent, WatchEvent


def rebound_variable(ctx: CallContext, source: int) -> int | None:
    """The variable a source tensor was made from, when the scenario's name moved to the tensor."""
    trace = ctx.trace
    tensor = trace.tensors.get(source)
    if tensor is None:
        return None
    if tensor.variable in trace.variables:
        return tensor.variable
    for node in ctx.flow.reaching([source], lambda link: link.code is None):
        variable = trace.variables.get(node) if isinstance(node, int) else None
        if variable is not None and tensor.name is not None and variable.pyname == tensor.name:
            return variable.id
    return None


def unwatched_cause(ctx: CallContext, source: int, code: str, op: OpEvent | None) -> Cause:
    """Why the tape, recording at the time, did not watch ``source`` before ``op`` used it."""
    s, tape = ctx.name(source), ctx.tape_name
    used = f"{ctx.statement(op)} ran" if op is not None else f"{ctx.target_name} was computed"
    marks: list[Evidence | None] = [ctx.origin(source)]
    if op is not None:
        marks.append(ctx.evidence(op, f"{s} used here, not recorded by {tape}"))
    if code == "non_float_dtype":
        sentence, fix = _integer(ctx, source, used, marks)
    elif code == "not_trainable":
        sentence = f"{s} is a non-trainable variable (trainable=False), so {tape} does not watch it"
        sentence += f" when it is read; {used} without it being watched."
        fix = (
            f"If {s} should learn, create it with `trainable=True`; otherwise ask only for the "
            "trainable variables (`model.trainable_variables`)."
        )
    elif code == "watch_accessed_off":
        sentence, fix = _watch_accessed_off(ctx, source, used, marks)
    elif code == "variable_rebound":
        sentence, fix = _rebound(ctx, source, used, marks)
    else:
        sentence, fix = _not_watched(ctx, source, used, op, marks)
    marks.append(ctx.call_evidence())
    return Cause(code, sentence, fix, in_order([m for m in marks if m is not None]))


def _integer(
    ctx: CallContext, source: int, used: str, marks: list[Evidence | None]
) -> tuple[str, str]:
    s, dtype = ctx.name(source), ctx.flow.dtype(source)
    made = ctx.flow.created.get(source)  # a variable: its dtype came from its initial value
    where = f" (its initial value, {at(made.line, made.file)})" if made and made.line else ""
    sentence = f"{s} has dtype {dtype}{where}; gradients exist only for floating-point values"
    ignored = ctx.view.ignored_watch_of(source)
    if ignored is not None and ignored.explicit:
        sentence += f", so `{ctx.tape_name.strip('`')}.watch` at {at(ignored.line, ignored.file)} ignored it"
        marks.append(ctx.evidence(ignored, f"watch ignored {s}: {dtype} is not floating point"))
    elif ignored is not None:  # read on a tape watching accesses: TF traces none of its reads
        sentence += (
            f", so {ctx.tape_name} recorded none of its reads ({at(ignored.line, ignored.file)})"
        )
        marks.append(
            ctx.evidence(ignored, f"{s} read, not recorded: {dtype} is not floating point")
        )
    sentence += f"; {used} without the tape recording it."
    name = s.strip("`")
    if source in ctx.trace.variables:
        fix = f"Make {s} floating point, e.g. `tf.Variable(3.0)` or `tf.cast({name}, tf.float32)`."
    else:
        tape = ctx.tape_name.strip("`")
        fix = (
            f"Cast {s} to floating point first (`{name} = tf.cast({name}, tf.float32)`), then "
            f"`{tape}.watch({name})` and ask for the gradient of that float tensor."
        )
    return sentence, fix


def _watch_accessed_off(
    ctx: CallContext, source: int, used: str, marks: list[Evidence | None]
) -> tuple[str, str]:
    s, tape, view = ctx.name(source), ctx.tape_name, ctx.view
    rejected = view.ignored_watch_of(source)
    if rejected is not None and rejected.error:
        return _watch_raised(ctx, source, used, rejected, marks)
    sentence = (
        f"{tape} was created with `watch_accessed_variables=False` ({at(view.tape.line, view.tape.file)}) and "
        f"{s} was never passed to `watch()`"
    )
    marks.append(Evidence(view.tape.file, view.tape.line, "watch_accessed_variables=False", None))
    empty = view.empty_watch()
    if empty is not None:
        sentence += (
            f"; {ctx.statement(empty)} watched an empty list, because the layer had not "
            "created its variables yet"
        )
        marks.append(ctx.evidence(empty, "watch() got an empty list: nothing watched"))
    sentence += f". {used[0].upper()}{used[1:]} without {s} being watched."
    if empty is not None:
        fix = (
            "Create the variables before watching them (call the layer once or "
            "`layer.build(shape)` before `watch()`), or leave `watch_accessed_variables=True`."
        )
        return sentence, fix
    variable = ctx.trace.variables.get(source)
    how = "`tape.watch(v.value)` for a Keras variable `v`" if variable and variable.keras else None
    fix = (
        f"Watch {s} too, inside the `with` block before it is used "
        f"({how or f'`{tape.strip(chr(96))}.watch(...)`'}), or leave "
        "`watch_accessed_variables=True`."
    )
    return sentence, fix


def _watch_raised(
    ctx: CallContext,
    source: int,
    used: str,
    rejected: WatchEvent,
    marks: list[Evidence | None],
) -> tuple[str, str]:
    """``watch_accessed_variables=False`` and the ``watch()`` of the source raised (a Keras 3
    ``Variable``, which ``watch()`` refuses): the tape watched nothing of it."""
    s, view = ctx.name(source), ctx.view
    error = (rejected.error or "").strip().splitlines()[0].split(":")[0] or "an error"
    item = next((i for i in rejected.items if i.ref == source), None)
    keras = item is not None and (item.reason or "").startswith("a Keras Variable")
    sentence = (
        f"{ctx.tape_name} was created with `watch_accessed_variables=False` "
        f"({at(view.tape.line, view.tape.file)}), and {ctx.statement(rejected)} raised {error}, so {s} was "
        "not watched"
    )
    if keras:
        sentence += ": with Keras 3 it is a Keras `Variable`, which `watch()` refuses"
    marks.append(Evidence(view.tape.file, view.tape.line, "watch_accessed_variables=False", None))
    marks.append(ctx.evidence(rejected, f"watch() raised {error}: {s} not watched"))
    sentence += f"; {used} without {s} being watched."
    name = s.strip("`")
    fix = (
        f"Watch the tf.Variable under it: `tape.watch({name}.value)`, or leave "
        "`watch_accessed_variables=True`."
        if keras
        else f"Pass `watch()` a tf.Tensor or tf.Variable for {s}, or leave "
        "`watch_accessed_variables=True`."
    )
    return sentence, fix


def _rebound(
    ctx: CallContext, source: int, used: str, marks: list[Evidence | None]
) -> tuple[str, str]:
    s = ctx.name(source)
    variable = rebound_variable(ctx, source)
    var = ctx.trace.variables.get(variable) if variable is not None else None
    created = f" created at {at(var.line, var.file)}" if var is not None and var.line else ""
    tensor = ctx.trace.tensors.get(source)
    maker = ctx.trace.ops.get(tensor.producer) if tensor and tensor.producer is not None else None
    made = f"{ctx.statement(maker)} replaced it" if maker is not None else "it was replaced"
    sentence = (
        f"{s} is no longer the tf.Variable{created}: {made} with a new Tensor computed from the "
        f"variable, and a tape does not watch plain tensors; {used} with that tensor."
    )
    name = s.strip("`")
    fix = (
        f"Update the variable in place (`{name}.assign(...)`, `{name}.assign_sub(...)`) instead "
        f"of rebinding the name `{name}` to a new tensor."
    )
    return sentence, fix


def _not_watched(
    ctx: CallContext, source: int, used: str, op: OpEvent | None, marks: list[Evidence | None]
) -> tuple[str, str]:
    s, tape = ctx.name(source), ctx.tape_name
    is_variable = source in ctx.trace.variables
    kind = "variable" if is_variable else "plain tensor, not a tf.Variable,"
    sentence = f"{s} is a {kind} and {tape} was not watching it when {used}"
    late = ctx.view.watch_of(source)
    if late is not None and op is not None and late.seq > op.seq:
        sentence += f"; `watch` at {at(late.line, late.file)} came too late"
        marks.append(ctx.evidence(late, f"{s} watched only here, after it was used"))
    sentence += "."
    when = f" before {at(op.line, op.file)}" if op is not None else ""
    fix = f"Call `{tape.strip('`')}.watch({s.strip('`')})` inside the `with` block{when}"
    fix += "." if is_variable else f", or make {s} a `tf.Variable`."
    return sentence, fix
