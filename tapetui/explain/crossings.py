"""Where values left TensorFlow and came back: links that only recorded values can reveal.

A NumPy round trip has no tensor id in common between the value that left and the one that came
back, so they are matched by what they hold (the same numbers, or NumPy's sum/mean/max/min of
them) or by happening on the same line. When nothing matches, a *weak* link joins each value
that left to the constants entering afterwards (until the next gradient call of a non-persistent
tape, or, after a persistent tape was asked, until the next outermost tape is entered): a guess
the explainer only uses when nothing else connects the source to the target.

Three refinements keep the guesses honest. NumPy reads a tensor through the buffer protocol
(``np.asarray(t)``, ``np.tanh(t)``), which no hook sees: an eager op's result that nothing used,
followed on the same line by a constant of its shape, is such a crossing (a weak link); one
followed, before any op of another line ran, by a constant of its very numbers is one for sure
(Keras ``evaluate`` turns its metrics' results into Python floats this way). A
constant holding the very numbers of one that entered before (``tf.constant(x_np)`` again) came
from that same NumPy data, not from what left since. A single number written on its line
(``x ** 3``) is that literal, not NumPy's mean of something that left.
"""

from __future__ import annotations

import re

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
        self.unused: list[tuple[OpEvent, int]] = []
        """The float results nothing used of the last eager ops, all of one line: what NumPy
        may have read unseen (single numbers too)."""
        self.unused_by_value: dict[object, list[tuple[OpEvent, int]]] = {}
        """The first ``unused_keyed`` of ``unused`` by their value keys (made when asked)."""
        self.unused_keyed = 0
        self.ins: set[object] = set()
        """The value keys of every multi-number constant that entered so far."""
        self.asked = False
        """Whether a persistent tape was asked since ``since_call`` was last emptied."""
        self._used: set[int] | None = None

    @property
    def used(self) -> set[int]:
        """Every value any op of the run takes as an input (worked out at the first op that
        needs it)."""
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
        elif isinstance(event, OpEvent) and not event.backward:
            if self.unused and (self.unused[0][0].file, self.unused[0][0].line) != (
                event.file,
                event.line,
            ):
                self.unused, self.unused_by_value, self.unused_keyed = [], {}, 0
            used = self.used
            self.unused += [
                (event, ref)
                for ref in event.outputs
                if ref not in used and _floats(trace, ref, numbers=True)
            ]
        elif isinstance(event, BoundaryEvent) and event.direction == "out":
            for key in value_keys(trace.tensors.get(event.tensor), derived=True):
                self.outs.setdefault(key, []).append(event)
            self.by_line.setdefault((event.file, event.line), []).append(event)
            self.since_call.append((event, event.tensor))
        elif isinstance(event, BoundaryEvent):
            if _literal(trace, event):
                return []
            entered_before = self._entered_before(event)
            found = _matches(trace, event, self.outs, self.by_line)
            if found:
                return [_link(out, out.tensor, event, weak=False) for out in found]
            same = [] if entered_before else self._read_unseen_same(event)
            if same:
                return [_link(op, ref, event, weak=False) for op, ref in same]
            unseen = self._read_unseen(event)
            if unseen:
                return [_link(op, ref, event, weak=True) for op, ref in unseen]
            if entered_before:
                return []
            return [_link(out, ref, event, weak=True) for out, ref in self.since_call]
        return []

    def _read_unseen(self, event: BoundaryEvent) -> list[tuple[OpEvent, int]]:
        """The unused eager results of ``event``'s line with its shape: read by NumPy (through
        the buffer protocol, which no hook sees) to make the constant entering at ``event``."""
        if event.how != "constant" or not _floats(self.trace, event.tensor):
            return []
        shape = self.trace.tensors[event.tensor].shape
        return [
            (op, ref)
            for op, ref in self.unused
            if (op.file, op.line) == (event.file, event.line)
            and self.trace.tensors[ref].shape == shape
        ]

    def _read_unseen_same(self, event: BoundaryEvent) -> list[tuple[OpEvent, int]]:
        """The unused eager results holding the very numbers of the constant entering at
        ``event``, with no op of another line run since: NumPy read them unseen and they came
        back. The constant may be first seen lines later (``tf.constant(x_float)`` runs no op;
        it is seen when something next looks at it), so its line is not asked; a constant of
        numbers that entered before came from that data (``_entered_before``), and a whole
        single number may match by chance."""
        if event.how != "constant" or not self.unused:
            return []
        tensor = self.trace.tensors.get(event.tensor)
        if tensor is None or not _floats(self.trace, event.tensor, numbers=True):
            return []
        if isinstance(tensor.data, float) and tensor.data.is_integer():
            return []  # a whole single number (0, 1) repeats by chance
        by_value = self.unused_by_value
        for op, ref in self.unused[self.unused_keyed :]:
            for key in value_keys(self.trace.tensors[ref], derived=False):
                by_value.setdefault(key, []).append((op, ref))
        self.unused_keyed = len(self.unused)
        found: dict[int, tuple[OpEvent, int]] = {}
        for key in value_keys(tensor, derived=False):
            for op, ref in by_value.get(key, ()):
                found.setdefault(ref, (op, ref))
        return list(found.values())

    def _entered_before(self, event: BoundaryEvent) -> bool:
        """Whether the constant entering at ``event`` holds the numbers of one that entered
        before (then noted, for the next); single numbers (``0.5``, ``1.0``) repeat by chance."""
        tensor = self.trace.tensors.get(event.tensor)
        if tensor is None or not tensor.shape:
            return False
        keys = value_keys(tensor, derived=False)
        seen = any(key in self.ins for key in keys)
        self.ins.update(keys)
        return seen


_NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|(?<![\w.])\.\d+")


def _literal(trace: Trace, event: BoundaryEvent) -> bool:
    """Whether the single number entering at ``event`` is written on its line, as a literal."""
    tensor = trace.tensors.get(event.tensor)
    if tensor is None or not isinstance(tensor.data, int | float) or event.line is None:
        return False
    lines = trace.sources.get(event.file or trace.scenario, "").splitlines()
    if not 0 < event.line <= len(lines):
        return False
    code = lines[event.line - 1].split("#")[0]
    value = abs(float(tensor.data))
    return any(abs(float(n) - value) <= 1e-6 * max(1.0, value) for n in _NUMBER.findall(code))


def _floats(trace: Trace, ref: int, numbers: bool = False) -> bool:
    """Whether ``ref`` is a recorded tensor of several floating-point numbers (``numbers``: or
    of one, with its value recorded)."""
    tensor = trace.tensors.get(ref)
    if tensor is None or not tensor.dtype.startswith(("float", "bfloat")):
        return False
    return bool(tensor.shape) or (numbers and isinstance(tensor.data, float))


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
