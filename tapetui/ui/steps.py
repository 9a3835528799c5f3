"""The debugger's steps: forward ops, gradient calls and backward steps in the order they ran.

Plain Python (no Textual) so stepping and jumping can be tested on a trace alone.
"""

from __future__ import annotations

from dataclasses import dataclass

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


@dataclass(frozen=True)
class Step:
    """One place the cursor can stop."""

    index: int
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


def _kind(event: Event) -> str | None:
    if isinstance(event, OpEvent):
        return None if event.backward else FORWARD
    if isinstance(event, BackwardStepEvent):
        return BACKWARD
    if isinstance(event, GradientSumEvent):
        return SUM
    if isinstance(event, GradientCallEvent):
        return GRADIENT
    if isinstance(event, ErrorEvent):
        return ERROR
    return None


def _open_tape(trace: Trace, seq: int) -> int | None:
    """The innermost tape whose ``with`` block was open at ``seq``."""
    best: tuple[int, int] | None = None
    for tape in trace.tapes.values():
        if tape.enter_seq is None or tape.enter_seq > seq:
            continue
        if tape.exit_seq is not None and tape.exit_seq < seq:
            continue
        if best is None or tape.enter_seq > best[0]:
            best = (tape.enter_seq, tape.id)
    return None if best is None else best[1]


def _tape_of(trace: Trace, event: Event) -> int | None:
    call_id = getattr(event, "call", None)
    if isinstance(event, GradientCallEvent | BackwardStepEvent | GradientSumEvent):
        call = trace.gradient_calls.get(call_id) if call_id is not None else None
        return call.tape if call is not None else None
    if isinstance(event, OpEvent) and event.recorded_by:
        return max(
            event.recorded_by,
            key=lambda t: trace.tapes[t].enter_seq or 0 if t in trace.tapes else 0,
        )
    return _open_tape(trace, event.seq)


def build_steps(trace: Trace) -> list[Step]:
    """Every step of ``trace`` in timeline order."""
    steps: list[Step] = []
    for event in trace.events:
        kind = _kind(event)
        if kind is not None:
            steps.append(Step(len(steps), kind, event, _tape_of(trace, event)))
    return steps


class Stepper:
    """A cursor over the steps of one trace, with the debugger's jumps."""

    def __init__(self, trace: Trace) -> None:
        self.trace = trace
        self.steps = build_steps(trace)
        self.index = 0

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
        later = [i for i in indices if (i > self.index if forward else i < self.index)]
        if not later:
            return None
        return self.go(min(later) if forward else max(later))

    def next_gradient_call(self, forward: bool = True) -> Step | None:
        """The next (or previous) gradient call; ``None`` and no move when there is none."""
        return self._find([s.index for s in self.steps if s.kind == GRADIENT], forward)

    def next_tape(self, forward: bool = True) -> Step | None:
        """The first step of the next (or previous) tape."""
        return self._find(sorted(self.tape_starts().values()), forward)

    def tape_starts(self) -> dict[int, int]:
        """Each tape's first step index."""
        starts: dict[int, int] = {}
        for step in self.steps:
            if step.tape is not None:
                starts.setdefault(step.tape, step.index)
        return starts

    def go_to_tape(self, tape: int) -> Step | None:
        start = self.tape_starts().get(tape)
        return None if start is None else self.go(start)

    def go_to_call(self, call: int) -> Step | None:
        for step in self.steps:
            if step.kind == GRADIENT and getattr(step.event, "call", None) == call:
                return self.go(step.index)
        return None

    def partner(self) -> Step | None:
        """From a forward op to its (next) backward step, and from a backward step to its op."""
        step = self.current
        if step is None:
            return None
        if step.kind == BACKWARD:
            op = getattr(step.event, "op", None)
            matches = [
                s.index
                for s in self.steps
                if s.kind == FORWARD and getattr(s.event, "op", None) == op
            ]
        elif step.kind == FORWARD:
            op = getattr(step.event, "op", None)
            matches = [
                s.index
                for s in self.steps
                if s.kind == BACKWARD and getattr(s.event, "op", None) == op
            ]
            later = [i for i in matches if i > step.index]
            matches = later or matches
        else:
            return None
        return self.go(matches[0]) if matches else None
