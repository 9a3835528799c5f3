"""Where values left TensorFlow and came back: links that only recorded values can reveal.

A NumPy round trip has no tensor id in common between the value that left and the one that came
back, so they are matched by what they hold (the same numbers, or NumPy's sum/mean/max/min of
them) or by happening on the same line. When nothing matches, a *weak* link joins each value
that left to the constants entering afterwards (until the next gradient call of a non-persistent
tape, or, after a persistent tape was asked, until the next outermost tape is entered): a guess
the explainer only uses when nothing else connects the source to the target.
"""

from __future__ import annotations

from tapetui.explain.links import Link
from tapetui.explain.values import value_keys
from tapetui.trace.events import (
    BoundaryEvent,
    Event,
    GradientCallEvent,
    OpEvent,
    TapeEnterEvent,
)
from tapetui.trace.model import Trace


def boundary_links(trace: Trace) -> list[Link]:
    """Links from values leaving TensorFlow to later values entering it, strong and weak."""
    crossings = Crossings(trace)
    return [link for event in trace.events for link in crossings.at(event)]


class Crossings:
    """The boundary links, made event by event in timeline order: those made at an event link
    into the value entering there, so the links of a timeline's beginning are made without
    reading the rest."""

    def __init__(self, trace: Trace) -> None:
        self.trace = trace
        self.outs: dict[object, list[BoundaryEvent]] = {}
        self.by_line: dict[tuple[str | None, int | None], list[BoundaryEvent]] = {}
        self.since_call: list[tuple[Event, int]] = []
        self.asked = False
        """Whether a persistent tape was asked since ``since_call`` was last emptied."""
        self._used: set[int] | None = None

    @property
    def used(self) -> set[int]:
        """Every value any op of the run takes as an input (worked out at the first
        ``tf.function`` call, the only events that need it)."""
        if self._used is None:
            self._used = {ref for op in self.trace.ops.values() for ref in op.inputs}
        return self._used

    def at(self, event: Event) -> list[Link]:
        """The links made at ``event`` (after every event before it)."""
        trace = self.trace
        if isinstance(event, GradientCallEvent):
            if _reusable(trace, event):  # it may be asked again about values leaving now
                self.asked = True
            else:
                self.since_call, self.asked = [], False
        elif isinstance(event, TapeEnterEvent) and self.asked and _outermost(trace, event):
            self.since_call, self.asked = [], False  # the next step of a loop of persistent tapes
        elif isinstance(event, OpEvent) and event.function is not None:
            used = self.used
            self.since_call += [(event, ref) for ref in event.outputs if ref not in used]
        elif isinstance(event, BoundaryEvent) and event.direction == "out":
            for key in value_keys(trace.tensors.get(event.tensor), derived=True):
                self.outs.setdefault(key, []).append(event)
            self.by_line.setdefault((event.file, event.line), []).append(event)
            self.since_call.append((event, event.tensor))
        elif isinstance(event, BoundaryEvent):
            found = _matches(trace, event, self.outs, self.by_line)
            if found:
                return [_link(out, out.tensor, event, weak=False) for out in found]
            return [_link(out, ref, event, weak=True) for out, ref in self.since_call]
        return []


def _reusable(trace: Trace, event: GradientCallEvent) -> bool:
    """A call on a persistent tape: the tape can be asked again, about what happens next."""
    call = trace.gradient_calls.get(event.call)
    tape = trace.tapes.get(call.tape) if call is not None else None
    return tape is not None and tape.persistent


def _outermost(trace: Trace, event: TapeEnterEvent) -> bool:
    tape = trace.tapes.get(event.tape)
    return tape is not None and tape.parent is None


def _matches(
    trace: Trace,
    event: BoundaryEvent,
    outs: dict[object, list[BoundaryEvent]],
    by_line: dict[tuple[str | None, int | None], list[BoundaryEvent]],
) -> list[BoundaryEvent]:
    found: dict[int, BoundaryEvent] = {}
    for key in value_keys(trace.tensors.get(event.tensor), derived=False):
        for out in outs.get(key, ()):
            found.setdefault(out.seq, out)
    if event.line is not None:
        for out in by_line.pop((event.file, event.line), ()):
            found.setdefault(out.seq, out)
    return list(found.values())


def _link(out: Event, ref: int, back: BoundaryEvent, weak: bool) -> Link:
    return Link(ref, back.tensor, back.seq, code="left_tensorflow", evidence=[out, back], weak=weak)
