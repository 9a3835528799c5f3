"""What the graph of one gradient call needs from the timeline, found lazily.

Opening a graph must cost what is drawn, not the size of the tape (a tape can hold 100,000
ops), so nothing here reads the whole tape up front:

- the call's backward steps are found by reading forward from the target's op (TensorFlow runs
  them from the target down, the order the graph is drawn in), only as far as asked;
- whether a tensor leads back to a source is a depth-first search over the ops the tape
  recorded, remembered for every tensor it finishes, and given up (``None``: not known) after
  :data:`SEARCH_BUDGET` tensors, so a very deep graph is drawn unfolded rather than slowly.
"""

from __future__ import annotations

from collections.abc import Iterator

from tapetui.trace.events import BackwardStepEvent, Event, GradientSumEvent, OpEvent
from tapetui.trace.model import GradientCall, Trace

SEARCH_BUDGET = 2_000
"""Tensors one search for a source visits before it gives up."""


class CallIndex:
    """The call's tape, its backward steps and sums, and the search for sources."""

    def __init__(self, trace: Trace, call: GradientCall) -> None:
        self.trace = trace
        self.call = call
        tape = trace.tapes.get(call.tape)
        self.start = tape.enter_seq if tape is not None and tape.enter_seq is not None else 0
        self.sources = {s for s in call.source_ids if s is not None}
        self._steps: dict[int, BackwardStepEvent] = {}
        self._sums: dict[int, GradientSumEvent] = {}
        self._scan = self._backward_events()
        self._scanned = False
        self._reaches: dict[int, bool | None] = {}

    # the tape ---------------------------------------------------------------------------------

    def recorded(self, op: OpEvent) -> bool:
        """Whether the call's tape recorded ``op`` before the call."""
        return (
            self.call.tape in op.recorded_by
            and not op.backward
            and self.start <= op.seq < self.call.seq
        )

    def window(self) -> Iterator[Event]:
        """The events from the tape's start to the call."""
        events, seq = self.trace.events, self.call.seq
        if 0 <= self.start <= seq < len(events) and events[seq].seq == seq:
            if events[self.start].seq == self.start:
                yield from (events[i] for i in range(self.start, seq))
                return
        yield from (e for e in events if self.start <= e.seq < seq)

    def layers(self) -> frozenset[str]:
        """The Keras layers of the ops the tape recorded (reads the whole tape)."""
        return frozenset(
            e.layer
            for e in self.window()
            if isinstance(e, OpEvent) and e.layer is not None and self.recorded(e)
        )

    # the backward pass ------------------------------------------------------------------------

    def _backward_events(self) -> Iterator[Event]:
        """The events after the target's op: the call's backward pass is among them."""
        events, seq = self.trace.events, self.call.seq
        produced = [
            self.trace.tensors[t].producer
            for t in self.call.target_ids
            if t is not None and t in self.trace.tensors
        ]
        seqs = [self.trace.ops[p].seq for p in produced if p is not None and p in self.trace.ops]
        begin = max(self.start, min(seqs) + 1 if seqs else self.start)
        if (
            0 <= begin <= seq < len(events)
            and events[seq].seq == seq
            and events[begin].seq == begin
        ):
            return (events[i] for i in range(begin, seq))
        return self.window()

    def _read_on(self, wanted: int, sums: bool = False) -> None:
        """Index backward steps and sums until ``wanted``'s is found (or the call is reached)."""
        steps, found_sums, call = self._steps, self._sums, self.call.id
        found = found_sums if sums else steps
        for event in self._scan:
            cls = type(event)
            if cls is BackwardStepEvent:
                if event.call == call and event.op not in steps:  # type: ignore[attr-defined]
                    steps[event.op] = event  # type: ignore[attr-defined,assignment]
            elif cls is GradientSumEvent and event.call == call:  # type: ignore[attr-defined]
                found_sums.setdefault(event.tensor, event)  # type: ignore[attr-defined,arg-type]
            if wanted in found:
                return
        self._scanned = True

    def step(self, op: int) -> BackwardStepEvent | None:
        """The backward step of ``op`` in this call, where TensorFlow ran one."""
        if op not in self._steps and not self._scanned:
            self._read_on(op)
        return self._steps.get(op)

    def sum_of(self, ref: int, producer: int | None) -> GradientSumEvent | None:
        """Where the backward pass added up several gradients of ``ref``: before the backward
        step of its ``producer`` op; for a source (no producer), up to the call."""
        if ref in self._sums or self._scanned:
            return self._sums.get(ref)
        if producer is not None:
            self.step(producer)
        elif ref in self.sources:
            self._read_on(ref, sums=True)
        return self._sums.get(ref)

    # the way to a source ----------------------------------------------------------------------

    def _inputs(self, ref: int) -> list[int]:
        tensor = self.trace.tensors.get(ref)
        op = self.trace.ops.get(tensor.producer) if tensor and tensor.producer is not None else None
        return op.inputs if op is not None and self.recorded(op) else []

    def reaches_source(self, ref: int) -> bool | None:
        """Whether a source is among ``ref``'s inputs (through recorded ops), ``None`` when the
        search gave up."""
        if ref in self._reaches:
            return self._reaches[ref]
        memo, sources = self._reaches, self.sources
        stack: list[tuple[int, Iterator[int]]] = [(ref, iter(self._inputs(ref)))]
        on_stack = {ref}
        found: dict[int, bool | None] = {ref: ref in sources}
        visited = 0
        while stack:
            node, inputs = stack[-1]
            child = next(inputs, None)
            if child is None:
                stack.pop()
                on_stack.discard(node)
                memo[node] = found[node]
                if stack:
                    parent = stack[-1][0]
                    found[parent] = _either(found[parent], found[node])
                continue
            visited += 1
            if visited > SEARCH_BUDGET:
                for pending, _ in stack:
                    memo[pending] = True if found[pending] else None
                return memo[ref]
            if child in memo or child in on_stack:
                found[node] = _either(found[node], memo.get(child, False))
                continue
            found[child] = child in sources
            on_stack.add(child)
            stack.append((child, iter(self._inputs(child))))
        return memo[ref]


def _either(a: bool | None, b: bool | None) -> bool | None:
    """Whether either leads to a source: yes if one does, not known if one is not known."""
    if a or b:
        return True
    return None if a is None or b is None else False
