"""What more the recording says about a source the target does not depend on (``no_path``).

Two mistakes end in ``no_path`` and have a better fix than "compute the target from it", both
found from the recorded variables, never from names in the source text:

- the source is a variable with ``trainable=False`` (BatchNormalization's moving statistics,
  asked for through ``model.variables``): nothing trains it, and no tape watches it;
- the target depends instead on a *newer* variable made by the same line as the source, with
  the same name and shape: a layer that creates its ``tf.Variable`` in ``call()`` makes a new
  one at every call, so the variable an optimizer or a list kept is never used again.
"""

from __future__ import annotations

from tapetui.explain.causes import Cause, Evidence
from tapetui.explain.context import CallContext, at
from tapetui.explain.dataflow import carries_gradient
from tapetui.explain.links import Link, Node
from tapetui.trace.model import Variable


def refine_no_path(ctx: CallContext, source: int, cause: Cause) -> Cause:
    """``cause`` (a ``no_path``) with what the source's variable record adds, if anything."""
    variable = ctx.trace.variables.get(source)
    if variable is None:
        return cause
    newer = _newer_twin(ctx, variable)
    if newer is not None:
        return _made_again(ctx, variable, newer, cause)
    if not variable.trainable:
        return _not_trainable(ctx, variable, cause)
    return _with_dead_end(ctx, source, cause)


def _with_dead_end(ctx: CallContext, source: int, cause: Cause) -> Cause:
    """``cause`` naming the last value computed from the source before the call, which no op
    used afterwards: where the computation from the source stopped."""
    found = _dead_end(ctx, source)
    if found is None:
        return cause
    node, link = found
    assert link.op is not None
    sentence = (
        f"{cause.sentence} The last value computed from {ctx.name(source)}, "
        f"{ctx.name(node)} in {ctx.statement(link.op)}, is used by nothing afterwards."
    )
    mark = ctx.evidence(link.op, f"{ctx.name(node)}: computed, then never used")
    marks = [*cause.evidence[:-1], mark, *cause.evidence[-1:]]
    return Cause(cause.code, sentence, cause.fix, marks, cause.others)


def _dead_end(ctx: CallContext, source: int) -> tuple[int, Link] | None:
    """The floating-point value computed last (before the call) from the source that no op
    took as an input before the call."""
    before = ctx.call.seq
    forward = ctx.flow.forward
    made: dict[int, Link] = {}
    todo: list[Node] = [source]
    seen: set[Node] = {source}
    while todo and len(seen) < 5000:
        for link in forward.get(todo.pop(), ()):
            if link.weak or link.op is None or link.op.backward or link.seq >= before:
                continue
            if isinstance(link.dst, int) and link.dst not in made:
                made[link.dst] = link
            if link.dst not in seen:
                seen.add(link.dst)
                todo.append(link.dst)
    ends = [
        (link.seq, node, link)
        for node, link in made.items()
        if carries_gradient(ctx.flow.dtype(node))
        and not any(not x.weak and x.seq < before for x in forward.get(node, ()))
    ]
    if not ends:
        return None
    _, node, link = max(ends, key=lambda end: end[0])
    return node, link


def _newer_twin(ctx: CallContext, variable: Variable) -> Variable | None:
    """A variable made later by the same line, with the same name, dtype and shape, that the
    target does depend on."""
    created = ctx.flow.created
    made = created.get(variable.id)
    if variable.line is None or made is None:
        return None
    for other in ctx.trace.variables.values():
        later = created.get(other.id)
        if later is None or later.seq <= made.seq or not _same_making(variable, other):
            continue
        if ctx.flow.cheapest_path(other.id, ctx.targets, _proven) is not None:
            return other
    return None


def _same_making(a: Variable, b: Variable) -> bool:
    same_place = (a.file, a.line) == (b.file, b.line)
    return same_place and (a.name, a.dtype, a.shape) == (b.name, b.dtype, b.shape)


def _proven(link: Link) -> int | None:
    return None if link.weak else 0


def _made_again(ctx: CallContext, variable: Variable, newer: Variable, cause: Cause) -> Cause:
    s, t, place = ctx.name(variable.id), ctx.target_name, at(variable.line, variable.file)
    sentence = (
        f"{t} does not depend on {s}, made at {place}, but on a newer variable {newer.name!r} "
        "that the same line made again later: code that creates a `tf.Variable` each time it "
        "runs (in a layer's `call()`, or in a train step) makes a new variable at every call, "
        f"so {s} is never used again."
    )
    fix = (
        "Create the variable once (in `__init__` or `build()`, or outside the train step) and "
        "use that one at every call, so the variable the gradient is asked for is the one the "
        "target is computed from."
    )
    marks = list(cause.evidence)
    made = ctx.flow.created.get(newer.id)
    if made is not None:
        again = Evidence(made.file, made.line, f"{newer.name!r} made again", made.seq)
        marks.insert(max(len(marks) - 1, 0), again)
    return Cause("no_path", sentence, fix, marks, cause.others)


def _not_trainable(ctx: CallContext, variable: Variable, cause: Cause) -> Cause:
    s = ctx.name(variable.id)
    sentence = (
        f"{cause.sentence} {s} is also not trainable (`trainable=False`): no tape watches it "
        "and no optimizer updates it; such variables (BatchNormalization's moving mean and "
        "variance, counters) are updated by assignments, not gradients."
    )
    fix = (
        f"Leave {s} out of the sources: ask for `model.trainable_variables`, not "
        "`model.variables` (which includes the non-trainable ones)."
    )
    others = [*cause.others, *([] if "not_trainable" in cause.others else ["not_trainable"])]
    return Cause("no_path", sentence, fix, cause.evidence, others)
