"""Hand-built traces for explainer unit tests, with tapes that record the way TensorFlow's do.

A ``Timeline`` plays a scenario line by line: ops are recorded by every active tape that watches
one of their floating-point inputs, and a trainable variable read on a tape with
``watch_accessed_variables`` is watched automatically — so tests only say what the scenario did.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tapetui.trace.events import (
    AssignEvent,
    BoundaryEvent,
    Event,
    GradientCallEvent,
    OpEvent,
    ResumeRecordingEvent,
    StopRecordingEvent,
    TapeEnterEvent,
    TapeExitEvent,
    TapeResetEvent,
    VariableCreatedEvent,
    WatchEvent,
    WatchItem,
)
from tapetui.trace.model import ErrorInfo, GradientCall, Tape, Tensor, Trace, Variable

FILE = "scenario.py"


def _flows(dtype: str) -> bool:
    return dtype.startswith(("float", "complex"))


@dataclass
class Timeline:
    source: str
    trace: Trace = field(init=False)
    _next: int = 100
    _tracked: dict[int, set[int]] = field(default_factory=dict)
    _active: list[int] = field(default_factory=list)
    _paused: set[int] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.trace = Trace(FILE, sources={FILE: self.source}, status="finished")

    def _id(self) -> int:
        self._next += 1
        return self._next

    def _event(self, cls: type[Event], line: int | None, **fields: Any) -> Event:
        event = cls(seq=len(self.trace.events), file=FILE, line=line, **fields)
        self.trace.events.append(event)
        return event

    def _dtype(self, ref: int) -> str:
        var = self.trace.variables.get(ref)
        return var.dtype if var else self.trace.tensors[ref].dtype

    # --- values -------------------------------------------------------------------------------
    def variable(
        self, name: str, value: Any, line: int, trainable: bool = True, dtype: str = "float32"
    ) -> int:
        ref = self._id()
        shape = [len(value)] if isinstance(value, list) else []
        self.trace.variables[ref] = Variable(
            ref, name, dtype, shape, trainable, pyname=name, data=value, file=FILE, line=line
        )
        self.trace.tensors[ref] = Tensor(ref, "resource", [], variable=ref, file=FILE, line=line)
        self._event(VariableCreatedEvent, line, variable=ref)
        return ref

    def constant(self, name: str | None, value: Any, line: int, dtype: str = "float32") -> int:
        ref = self._id()
        shape = [len(value)] if isinstance(value, list) else []
        self.trace.tensors[ref] = Tensor(ref, dtype, shape, value, name=name, file=FILE, line=line)
        self._event(BoundaryEvent, line, tensor=ref, direction="in", how="constant")
        return ref

    def op(
        self,
        op_type: str,
        inputs: list[int],
        line: int,
        name: str | None = None,
        value: Any = None,
        dtype: str = "float32",
        shape: list[int] | None = None,
    ) -> int:
        out = self._id()
        for tape in self._active:
            self._auto_watch(tape, inputs, line)
        recorded = [
            tape
            for tape in self._active
            if tape not in self._paused
            and op_type != "StopGradient"
            and any(_flows(self._dtype(i)) and i in self._tracked[tape] for i in inputs)
        ]
        event = self._event(
            OpEvent,
            line,
            op=out,
            op_type=op_type,
            inputs=inputs,
            outputs=[out],
            recorded_by=recorded,
        )
        for tape in recorded:
            self._tracked[tape].add(out)
        self.trace.tensors[out] = Tensor(
            out, dtype, shape or [], value, name=name, producer=event.op, file=FILE, line=line
        )
        return out

    def read(self, variable: int, line: int, value: Any = None) -> int:
        var = self.trace.variables[variable]
        return self.op("ReadVariableOp", [variable], line, value=value, dtype=var.dtype)

    def _auto_watch(self, tape: int, inputs: list[int], line: int) -> None:
        spec = self.trace.tapes[tape]
        for ref in inputs:
            var = self.trace.variables.get(ref)
            if var is None or not var.trainable or not spec.watch_accessed_variables:
                continue
            if ref in self._tracked[tape] or tape in self._paused or not _flows(var.dtype):
                continue
            self._tracked[tape].add(ref)
            item = WatchItem(ref, var.pyname or var.name, "watched")
            self._event(WatchEvent, line, tape=tape, items=[item], explicit=False)

    def to_numpy(self, ref: int, line: int, how: str = "numpy") -> None:
        self._event(BoundaryEvent, line, tensor=ref, direction="out", how=how)

    def assign(self, variable: int, value: int, line: int, method: str = "assign") -> None:
        self._event(AssignEvent, line, variable=variable, method=method, value=value)

    # --- tapes --------------------------------------------------------------------------------
    def tape(
        self, line: int, label: str = "tape", persistent: bool = False, watch_accessed: bool = True
    ) -> int:
        ref = self._id()
        self.trace.tapes[ref] = Tape(ref, FILE, line, persistent, watch_accessed, label=label)
        return ref

    def enter(self, tape: int, line: int) -> None:
        self._active.append(tape)
        self._tracked.setdefault(tape, set())
        self.trace.tapes[tape].enter_seq = self._event(TapeEnterEvent, line, tape=tape).seq

    def exit(self, tape: int, line: int) -> None:
        self._active.remove(tape)
        self.trace.tapes[tape].exit_seq = self._event(TapeExitEvent, line, tape=tape).seq
        self.trace.tapes[tape].watched = sorted(
            r for r in self._tracked[tape] if r in self.trace.variables
        )

    def watch(self, tape: int, refs: list[int], line: int) -> None:
        items = []
        for ref in refs:
            ok = _flows(self._dtype(ref))
            reason = None if ok else f"{self._dtype(ref)} is not a floating-point dtype"
            items.append(WatchItem(ref, str(ref), "watched" if ok else "ignored", reason))
            if ok:
                self._tracked[tape].add(ref)
        self._event(WatchEvent, line, tape=tape, items=items, empty=not refs)

    def stop(self, tape: int, line: int) -> None:
        self._paused.add(tape)
        self._event(StopRecordingEvent, line, tape=tape)

    def resume(self, tape: int, line: int) -> None:
        self._paused.discard(tape)
        self._event(ResumeRecordingEvent, line, tape=tape)

    def reset(self, tape: int, line: int) -> None:
        self._tracked[tape] = set()
        self._event(TapeResetEvent, line, tape=tape)

    # --- gradients ----------------------------------------------------------------------------
    def gradient(
        self,
        tape: int,
        target: int,
        sources: list[int],
        line: int,
        results: list[Any],
        unconnected: str = "none",
        error: tuple[str, str] | None = None,
    ) -> int:
        call_id = len(self.trace.gradient_calls) + 1
        result_ids: list[int | None] = []
        for source, value in zip(sources, results, strict=True):
            if value is None:
                result_ids.append(None)
                continue
            ref = self._id()
            dtype = self._dtype(source)
            self.trace.tensors[ref] = Tensor(ref, dtype, [], value, file=FILE, line=line)
            result_ids.append(ref)
        seq = self._event(GradientCallEvent, line, call=call_id).seq
        self.trace.gradient_calls[call_id] = GradientCall(
            call_id,
            tape,
            "gradient",
            FILE,
            line,
            seq,
            target=target,
            sources=sources,
            unconnected_gradients=unconnected,
            results=None if error else result_ids,
            error=ErrorInfo(*error, file=FILE, line=line) if error else None,
            inside_context=tape in self._active,
            target_ids=[target],
            source_ids=sources,
            result_ids=[] if error else result_ids,
        )
        self.trace.reindex()
        return call_id
