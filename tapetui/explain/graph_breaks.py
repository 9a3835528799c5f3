"""Where the graph of a gradient call is broken: for each source whose gradient is ``None``, the
path the scenario's dataflow took from it to the target, with the link the why-None cause names.

The link is the one the cause's own evidence points at (the op that ran outside the tape, the
NumPy round trip, the ``tf.round``): its timeline event, never a file name or source text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tapetui.explain.causes import Cause
from tapetui.explain.explainer import dataflow_of
from tapetui.explain.links import Link
from tapetui.trace.events import OpEvent
from tapetui.trace.model import GradientCall, Trace


@dataclass(frozen=True)
class Broken:
    """Why no gradient crossed here: the cause's code and its sentence."""

    code: str
    sentence: str


@dataclass
class Breaks:
    """The broken paths of one gradient call, indexed for the graph."""

    ops: dict[int, OpEvent] = field(default_factory=dict)
    """Ops on a broken path (often not recorded by the tape), by op id."""
    keys: set[int] = field(default_factory=set)
    """Graph nodes on a broken path."""
    sources: dict[int, Broken] = field(default_factory=dict)
    """Each source without a gradient, by node key."""
    at_op: dict[int, Broken] = field(default_factory=dict)
    """The broken link where it is an op (its inputs on the broken path), by op id."""
    at: dict[int, Broken] = field(default_factory=dict)
    """The broken link where it has no op (a value that left TensorFlow), by the ref it left."""
    into: dict[int, list[int]] = field(default_factory=dict)
    """Links with no op (a value that left TensorFlow and came back, an assignment): the refs
    flowing into each node key."""
    alone: list[int] = field(default_factory=list)
    """Sources no dataflow path connects to the target (``no_path``)."""


def causes_of(trace: Trace, call: GradientCall) -> list[Cause | None]:
    """The why-None explainer's causes for the call's sources (only asked when one is None)."""
    zeros = call.unconnected_gradients == "zero"
    if call.error is not None or (not zeros and all(r is not None for r in call.result_ids)):
        return []
    from tapetui.explain.explainer import explain_call

    return list(explain_call(trace, call.id).results)


def broken_paths(
    trace: Trace, call: GradientCall, causes: list[Any] | None, key: Callable[[int], int]
) -> Breaks:
    """The path and broken link of every source the explainer gives a cause for."""
    breaks = Breaks()
    found = causes_of(trace, call) if causes is None else causes
    targets = {t for t in call.target_ids if t is not None}
    for i, cause in enumerate(found):
        source = call.source_ids[i] if i < len(call.source_ids) else None
        if cause is None or source is None or not isinstance(cause, Cause):
            continue
        broken = Broken(cause.code, cause.sentence)
        breaks.sources[key(source)] = broken
        path = _path(trace, source, targets)
        if not path:
            breaks.alone.append(key(source))
            continue
        _add_path(breaks, path, _named_link(path, cause, call.seq), broken, key)
    return breaks


def _path(trace: Trace, source: int, targets: set[int]) -> list[Link]:
    """The scenario's dataflow from the source to a target, fewest guessed links first."""
    found = dataflow_of(trace).cheapest_path(source, targets, lambda link: int(link.weak))
    return found[1] if found is not None else []


def _named_link(path: list[Link], cause: Cause, call_seq: int) -> Link | None:
    """The link of the path the cause's evidence names: its op, or the event proving it."""
    seqs = {e.seq for e in cause.evidence if e.seq is not None}
    for link in path:
        if link.op is not None and link.op.seq in seqs:
            return link
        if link.code == cause.code or any(e.seq in seqs for e in link.evidence):
            return link
    # The evidence names another use on the same line (``x * x`` reads ``x`` twice).
    lines = {e.line for e in cause.evidence if e.seq is not None and e.seq != call_seq}
    return next((link for link in path if link.op is not None and link.op.line in lines), None)


def _add_path(
    breaks: Breaks, path: list[Link], named: Link | None, broken: Broken, key: Callable[[int], int]
) -> None:
    """Index the path's links between plain tensors (an assignment's stored value is a step on
    the way, not a node: the links through it join the tensors on either side)."""
    before: int | None = None
    pending: Broken | None = None
    for link in path:
        mark = (broken if link is named else None) or pending
        if isinstance(link.src, int):
            before = link.src
        if not isinstance(link.dst, int) or before is None or key(before) == key(link.dst):
            pending = mark  # not a link of its own in the graph: the mark goes on the next one
            if isinstance(link.dst, int):
                before = link.dst
            continue
        pending = None
        breaks.keys.update((key(before), key(link.dst)))
        if link.op is not None and isinstance(link.src, int):
            breaks.ops[link.op.op] = link.op
            if mark is not None:
                breaks.at_op[link.op.op] = mark
        else:
            breaks.into.setdefault(key(link.dst), []).append(before)
            if mark is not None:
                breaks.at[before] = mark
        before = link.dst
