"""Why one source got no gradient: the dataflow analysis, in the order DESIGN.md gives.

The order of the analysis, and which cause is reported first, is ``PRIORITY``.
"""

from __future__ import annotations

from collections.abc import Collection
from functools import partial

from tapetui.explain import datasets, wording
from tapetui.explain.causes import Cause
from tapetui.explain.context import CallContext
from tapetui.explain.dataflow import carries_gradient
from tapetui.explain.links import Link, Node
from tapetui.explain.nopath import refine_no_path
from tapetui.explain.recording import TapeView
from tapetui.explain.unwatched import rebound_variable, unwatched_cause
from tapetui.trace.events import OpEvent
from tapetui.trace.model import Tape

PRIORITY = """\
Priority when several causes apply (the primary cause is the one whose fix is needed first on
the most direct way from the source to the target; the rest are listed in ``Cause.others``):

1. ``no_path`` — no dataflow at all from the source to the target, counting every op the
   scenario ran, recorded or not, and every link gradients cannot cross.
2. Every path crosses a link gradients cannot cross → the code of that link, the first one on
   the path with fewest such links: ``left_tensorflow``, ``stateful_assign``, ``stop_gradient``,
   ``non_float_dtype``, ``non_differentiable_op``.
3. A clean path exists but the asked tape did not keep it:
   ``other_tape`` when another tape recorded all of it and watched the source; otherwise the
   first op on the path the tape did not keep says why — ``tape_reset``, ``outside_tape``,
   ``stop_recording`` — and when that op ran while the tape was recording, the source was not
   watched: ``non_float_dtype``, ``not_trainable``, ``watch_accessed_off``,
   ``variable_rebound`` or ``not_watched``.
"""
"""How a cause is chosen when several apply (the README quotes it)."""


def explain_source(ctx: CallContext, source: int) -> Cause | None:
    """The cause of a missing gradient for ``source``; ``None`` if the tape kept a clean path."""
    if source in ctx.targets:
        return None
    flow = ctx.flow
    if flow.shared_path(source, ctx.targets, _proven) is None:
        guess = flow.shared_path(source, ctx.targets, _guessed)
        if guess is None:
            return refine_no_path(ctx, source, wording.no_path(ctx, source))
        return _blocked(ctx, source, guess[1])
    if not carries_gradient(flow.dtype(source)):
        first = next((link.op for link in flow.forward.get(source, ()) if link.op), None)
        return unwatched_cause(ctx, source, "non_float_dtype", first)
    found = flow.shared_path(source, ctx.targets, _crossings)
    assert found is not None
    crossings, path = found
    if crossings:
        return _blocked(ctx, source, path)
    other = _other_tape(ctx, source)
    if other is not None:
        return other
    kept = flow.cheapest_path(source, ctx.targets, lambda link: _cost_on(ctx, link))
    assert kept is not None
    misses, path = kept
    if misses == 0 and ctx.view.watches_ref(source):
        return None
    return _not_recorded(ctx, source, path)


def _proven(link: Link) -> int | None:
    return None if link.weak else 0


def _guessed(link: Link) -> int | None:
    return int(link.weak)


def _crossings(link: Link) -> int | None:
    return None if link.weak else int(link.code is not None)


def _cost_on(ctx: CallContext, link: Link) -> int | None:
    if link.code is not None or link.op is None:
        return None
    return 0 if ctx.view.recorded(link.op) else 1


def _blocked(ctx: CallContext, source: int, path: list[Link]) -> Cause:
    first = datasets.primary_link(path)
    if datasets.is_dataset_link(first):
        cause = datasets.through_dataset(ctx, source, first, path)
    else:
        cause = wording.crossing(ctx, source, first)
    later = [link.code for link in path if link.code and link is not first]
    unwatched = source_reason(ctx, source, before=None)
    known = [*later, cause.code]
    cause.others = _unique([*later, *_blocking_codes(ctx, source, known), unwatched], cause.code)
    return cause


def _blocking_codes(ctx: CallContext, source: int, known: Collection[str | None] = ()) -> list[str]:
    """Codes of every uncrossable link on any path from the source to a target, in the order a
    walk from the source meets them; where at most one of them is not in ``known`` (the codes
    listed before them) their order does not matter, and one search shared by every call
    asking about the source says which they are."""
    shared = ctx.flow.shared_codes(source, ctx.targets, _proven)
    if shared is not None and len(shared.difference(known)) <= 1:
        return sorted(shared)
    _, links_from = ctx.flow.toward(ctx.targets, _proven)
    from_source: set[Node] = {source}
    todo: list[Node] = [source]
    codes: list[str] = []
    while todo:
        for link, _ in links_from.get(todo.pop(), ()):
            if link.code:
                codes.append(link.code)
            if link.dst not in from_source:
                from_source.add(link.dst)
                todo.append(link.dst)
    return codes


def _other_tape(ctx: CallContext, source: int) -> Cause | None:
    # A tape that kept a whole path recorded the op that produced the target.
    producers = [ctx.trace.tensors[t].producer for t in ctx.targets if t in ctx.trace.tensors]
    keepers = {
        tape for p in producers if p in ctx.trace.ops for tape in ctx.trace.ops[p].recorded_by
    }
    places = ctx.flow.tape_places
    kept = sorted(
        (p for k in keepers if k != ctx.view.tape.id for p in places.get(k, ())), key=_first
    )
    for _, tape in kept:
        view = ctx.view_of(tape)
        if not view.watches_ref(source):
            continue
        found = ctx.flow.cheapest_path(source, ctx.targets, partial(_recorded_on, view))
        if found is not None:
            return wording.other_tape(ctx, source, view, found[1])
    return None


def _first(place: tuple[int, Tape]) -> int:
    return place[0]


def _recorded_on(view: TapeView, link: Link) -> int | None:
    """Free where ``view``'s tape recorded the link's op, blocked elsewhere."""
    return 0 if link.code is None and link.op and view.recorded(link.op) else None


def _not_recorded(ctx: CallContext, source: int, path: list[Link]) -> Cause:
    missed = [link.op for link in path if link.op is not None and not ctx.view.recorded(link.op)]
    reasons = [(op, op_reason(ctx, op)) for op in missed]
    first_op, first_reason = reasons[0] if reasons else (path[0].op if path else None, None)
    if first_reason is not None and first_op is not None:
        cause = wording.not_kept(ctx, source, first_op, first_reason)
        unwatched = source_reason(ctx, source, before=None)
    else:
        before = first_op.seq if first_op is not None else ctx.call.seq
        code = source_reason(ctx, source, before=before) or "not_watched"
        cause = unwatched_cause(ctx, source, code, first_op)
        unwatched = None
    later = [reason for _, reason in reasons[1:]]
    known = [*later, unwatched, cause.code]
    cause.others = _unique([*later, unwatched, *_blocking_codes(ctx, source, known)], cause.code)
    return cause


def op_reason(ctx: CallContext, op: OpEvent) -> str | None:
    """Why the asked tape did not keep an op, when the reason is the op's timing."""
    view = ctx.view
    if view.tape.id in op.recorded_by and view.reset_after(op.seq) is not None:
        return "tape_reset"
    if view.before_enter(op.seq) or view.after_exit(op.seq):
        return "outside_tape"
    if view.stopped_at(op.seq) is not None:
        return "stop_recording"
    return None


def source_reason(ctx: CallContext, source: int, before: int | None) -> str | None:
    """Why the tape did not watch the source (by ``before``), or ``None`` if it would have."""
    view = ctx.view
    if not carries_gradient(ctx.flow.dtype(source)):
        return "non_float_dtype"
    if view.watch_of(source, before=before) is not None:
        return None
    variable = ctx.trace.variables.get(source)
    if variable is not None:
        if not variable.trainable:
            return "not_trainable"
        if not view.tape.watch_accessed_variables:
            return "watch_accessed_off"
        return None
    if rebound_variable(ctx, source) is not None:
        return "variable_rebound"
    return "not_watched"


def _unique(codes: list[str | None], primary: str) -> list[str]:
    out: list[str] = []
    for code in codes:
        if code and code != primary and code not in out:
            out.append(code)
    return out
