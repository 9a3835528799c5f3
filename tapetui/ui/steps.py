"""The debugger's steps: forward ops, gradient calls and backward steps in the order they ran.

Plain Python (no Textual) so stepping and jumping can be tested on a trace alone. Built in one
pass over the timeline, with the jumps indexed, so a keypress costs the same on a 100,000-op
trace as on a 10-op one.
"""

from __future__ import annotations

import functools
import heapq
from bisect import bisect_left, bisect_right
from typing import NamedTuple

from tapetui.trace import (
    BackwardStepEvent,
    ErrorEvent,
    Event,
    GradientCallEvent,
    GradientSumEvent,
    OpEvent,
    Trace,
)

FORWARD = "forward"
BACKWARD = "backward"
GRADIENT = "gradient"
SUM = "sum"
ERROR = "error"

_KINDS: dict[type[Event], str] = {
    OpEvent: FORWARD,
    BackwardStepEvent: BACKWARD,
    GradientSumEvent: SUM,
    GradientCallEvent: GRADIENT,
    ErrorEvent: ERROR,
}
"""The step kind of each event class (an op run inside a backward pass is not a step)."""


class Step(NamedTuple):
    """One place the cursor can stop (a tuple: a big trace has hundreds of thousands)."""

    # mypy forbids a field named like tuple.index; it shadows the method on purpose:
    index: int  # type: ignore[assignment]
    kind: str
    """``forward``, ``backward``, ``sum``, ``gradient`` or ``error``."""
    event: Event
    tape: int | None
    """The tape this step belongs to: the innermost open tape for a forward op, the asked tape
    for a gradient call and its backward pass; ``None`` for ops outside every tape."""

    @property
    def line(self) -> int | None:
        return self.event.line

    @property
    def file(self) -> str | None:
        return self.event.file


class _OpenTapes:
    """The innermost tape whose ``with`` block was open at a seq, for seqs asked in order.

    A sweep: tapes enter a heap (latest entered on top) as the seqs pass their ``enter_seq`` and
    leave it once past their ``exit_seq``, so a whole timeline costs O(events + tapes·log).
    """

    def __init__(self, trace: Trace) -> None:
        self.trace = trace
        entered = [
            (tape.enter_seq, position, tape)
            for position, tape in enumerate(trace.tapes.values())
            if tape.enter_seq is not None
        ]
        self.waiting = sorted(entered, key=lambda item: (item[0], item[1]))
        self.next = 0
        self.heap: list[tuple[int, int, int | None, int]] = []
        self.last = -1

    def at(self, seq: int) -> int | None:
        if seq < self.last:  # out of order (a hand-edited trace): answer by a plain scan
            return open_tape(self.trace, seq)
        self.last = seq
        while self.next < len(self.waiting) and self.waiting[self.next][0] <= seq:
            enter, position, tape = self.waiting[self.next]
            heapq.heappush(self.heap, (-enter, position, tape.exit_seq, tape.id))
            self.next += 1
        while self.heap and self.heap[0][2] is not None and self.heap[0][2] < seq:
            heapq.heappop(self.heap)
        return self.heap[0][3] if self.heap else None


def open_tape(trace: Trace, seq: int) -> int | None:
    """The innermost tape whose ``with`` block was open at ``seq`` (first created wins a tie)."""
    best: tuple[int, int] | None = None
    for tape in trace.tapes.values():
        if tape.enter_seq is None or tape.enter_seq > seq:
            continue
        if tape.exit_seq is not None and tape.exit_seq < seq:
            continue
        if best is None or tape.enter_seq > best[0]:
            best = (tape.enter_seq, tape.id)
    return None if best is None else best[1]


def _recording_tape(trace: Trace, recorded_by: list[int]) -> int:
    """Of the tapes that recorded an op, the innermost (the one entered last)."""
    if len(recorded_by) == 1:
        return recorded_by[0]
    tapes = trace.tapes
    return max(recorded_by, key=lambda t: tapes[t].enter_seq or 0 if t in tapes else 0)


def build_steps(trace: Trace) -> list[Step]:
    """Every step of ``trace`` in timeline order, each with the tape it belongs to."""
    steps: list[Step] = []
    append = steps.append
    open_at = _OpenTapes(trace).at
    calls = trace.gradient_calls
    kinds = _KINDS
    make = tuple.__new__  # Step's own __new__ is a Python call; this loop runs per event
    kind: str | None
    for event in trace.events:
        cls = type(event)
        if cls is OpEvent:
            if event.backward:  # type: ignore[attr-defined]
                continue
            kind = FORWARD
            recorded = event.recorded_by  # type: ignore[attr-defined]
            if not recorded:
                tape = open_at(event.seq)
            else:
                tape = recorded[0] if len(recorded) == 1 else _recording_tape(trace, recorded)
        else:
            kind = kinds.get(cls)
            if kind is None:
                continue
            if kind == ERROR:
                tape = open_at(event.seq)
            else:  # a gradient call or its backward pass: the asked tape
                call = calls.get(event.call)  # type: ignore[attr-defined]
                tape = call.tape if call is not None else None
        append(make(Step, (len(steps), kind, event, tape)))
    return steps


class _Jumps:
    """Where the debugger's jumps land, indexed in one pass per trace."""

    def __init__(self, steps: list[Step]) -> None:
        self.steps = steps
        firsts = {s.tape: s.index for s in reversed(steps) if s.tape is not None}  # earliest wins
        self.tape_starts: dict[int, int] = dict(sorted(firsts.items(), key=lambda kv: kv[1]))
        """Each tape's first step, in the order the tapes first appear."""
        self.starts = list(self.tape_starts.values())
        self.calls: list[int] = [step.index for step in steps if step.kind == GRADIENT]
        """Step indices of the gradient calls, in order."""
        self.call_steps: dict[int, int] = {}
        for index in self.calls:
            self.call_steps.setdefault(steps[index].event.call, index)  # type: ignore[attr-defined]

    @functools.cached_property
    def forward(self) -> dict[int, int]:
        """Op id → its (first) forward step (built on the first jump that needs it)."""
        found: dict[int, int] = {}
        for step in reversed(self.steps):
            if step.kind == FORWARD:
                found[step.event.op] = step.index  # type: ignore[attr-defined]
        return found

    @functools.cached_property
    def backward(self) -> dict[int, list[int]]:
        """Op id → its backward steps (built on the first jump that needs it)."""
        found: dict[int, list[int]] = {}
        for step in self.steps:
            if step.kind == BACKWARD:
                found.setdefault(step.event.op, []).append(step.index)  # type: ignore[attr-defined]
        return found


class Stepper:
    """A cursor over the steps of one trace, with the debugger's jumps."""

    def __init__(self, trace: Trace) -> None:
        self.trace = trace
        self.steps = build_steps(trace)
        self.index = 0
        self._jumps = _Jumps(self.steps)

    @property
    def current(self) -> Step | None:
        return self.steps[self.index] if self.steps else None

    def go(self, index: int) -> Step | None:
        """Move to ``index`` (clamped) and return the step there."""
        if self.steps:
            self.index = max(0, min(index, len(self.steps) - 1))
        return self.current

    def next(self) -> Step | None:
        """The next step; ``None`` (and no move) at the last one."""
        return self.go(self.index + 1) if self.index + 1 < len(self.steps) else None

    def previous(self) -> Step | None:
        """The previous step; ``None`` (and no move) at the first one."""
        return self.go(self.index - 1) if self.index > 0 else None

    def first(self) -> Step | None:
        return self.go(0)

    def last(self) -> Step | None:
        return self.go(len(self.steps) - 1)

    def _find(self, indices: list[int], forward: bool) -> Step | None:
        """The nearest of the sorted ``indices`` after (or before) the cursor."""
        if forward:
            at = bisect_right(indices, self.index)
            return self.go(indices[at]) if at < len(indices) else None
        at = bisect_left(indices, self.index)
        return self.go(indices[at - 1]) if at > 0 else None

    def next_gradient_call(self, forward: bool = True) -> Step | None:
        """The next (or previous) gradient call; ``None`` and no move when there is none."""
        return self._find(self._jumps.calls, forward)

    def next_tape(self, forward: bool = True) -> Step | None:
        """The first step of the next (or previous) tape."""
        return self._find(self._jumps.starts, forward)

    def tape_starts(self) -> dict[int, int]:
        """Each tape's first step index."""
        return dict(self._jumps.tape_starts)

    def go_to_tape(self, tape: int) -> Step | None:
        start = self._jumps.tape_starts.get(tape)
        return None if start is None else self.go(start)

    def go_to_call(self, call: int) -> Step | None:
        index = self._jumps.call_steps.get(call)
        return None if index is None else self.go(index)

    def partner(self) -> Step | None:
        """From a forward op to its (next) backward step, and from a backward step to its op."""
        step = self.current
        if step is None or step.kind not in (FORWARD, BACKWARD):
            return None
        op = getattr(step.event, "op", None)
        if step.kind == BACKWARD:
            forward = self._jumps.forward.get(op)  # type: ignore[arg-type]
            return None if forward is None else self.go(forward)
        matches = self._jumps.backward.get(op, [])  # type: ignore[arg-type]
        if not matches:
            return None
        later = bisect_right(matches, step.index)
        return self.go(matches[later] if later < len(matches) else matches[0])
