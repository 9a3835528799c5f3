"""A gradient call given no sources at all: it returns an empty list, and nothing is trained.

No gradient is ``None`` there, so nothing else explains it; but when the tape watched variables
the target depends on, those are what the call was meant to get (a layer's or model's list of
variables is empty when it tracks none of them). Found from the recorded call (its sources) and
the tape (what it watched, and the dataflow from those to the target).
"""

from __future__ import annotations

from tapetui.explain.context import CallContext, at
from tapetui.explain.links import Link
from tapetui.trace.events import VariableCreatedEvent


def _proven(link: Link) -> int | None:
    return None if link.weak else 0


def no_sources_note(ctx: CallContext) -> str | None:
    """The note for a call whose sources are an empty structure, or ``None``."""
    call = ctx.call
    if call.source_ids or call.error is not None or not ctx.targets:
        return None
    flow, trace = ctx.flow, ctx.trace
    watched = [ref for ref in ctx.view.tape.watched if ref in trace.variables]
    used = [ref for ref in watched if flow.shared_path(ref, ctx.targets, _proven) is not None]
    sentence = (
        f"`{call.method}` at {at(call.line, call.file)} was given no sources (an empty list), "
        f"so it returned an empty list: no variable gets a gradient"
    )
    if not used:
        return sentence + "."
    named = [ctx.name(ref) for ref in used]
    names = ", ".join(named[:-1]) + " and " + named[-1] if len(named) > 1 else named[0]
    return (
        f"{sentence}, though {ctx.target_name} depends on {names}, which {ctx.tape_name} "
        f"watched.{_hint(ctx, used)}."
    )


def _hint(ctx: CallContext, used: list[int]) -> str:
    """Why a list of a layer's or model's variables can be empty, from how they were made."""
    trace, flow = ctx.trace, ctx.flow
    made = sorted((flow.created[ref] for ref in used if ref in flow.created), key=_seq)
    first = made[0] if made else None
    if first is not None and any(
        e.seq < first.seq and (e.file, e.line) == (first.file, first.line)
        for e in flow.created.values()
    ):
        return (
            f" The line that made them, {at(first.line, first.file)}, had made other variables "
            "before: it makes new ones at every call (a layer or variable created in `call()`), "
            "which the model does not track; create them once, in `__init__` or `build()`, and "
            "pass the model's variables as the sources"
        )
    if any(not trace.variables[ref].keras for ref in used):
        return (
            " Keras lists only the variables a layer tracks: ones made with "
            "`self.add_weight(...)` or assigned to an attribute, not `tf.Variable`s appended "
            "to a plain list; make them with `add_weight`, or pass those variables as the sources"
        )
    when = f"; these were made at {at(first.line, first.file)}" if first is not None else ""
    return (
        " A model or layer has no variables until it is built, by its first call or "
        f"`build(shape)`{when}, and a list of them taken before that is empty; take the list "
        "after the model is built"
    )


def _seq(event: VariableCreatedEvent) -> int:
    return event.seq
