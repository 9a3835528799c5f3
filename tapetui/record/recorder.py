"""The recorder: turns what the TensorFlow hooks report into trace records, as they happen.

The ``Recorder`` is the hooks' ``Observer`` (``tapetui.record.observer``) and the books'
``Journal``: it holds the trace so far, sends each record to the sink, and wires the books
(tapes, gradient calls, variables, names, optimizers, step rows), handing each report to the
book that keeps it (``tapetui.record.reports``). The books know it only as a ``Journal``.

``on_op`` runs for every eager op the scenario executes, so it does as little as it can; past
the budget's detail window (``tapetui.record.budget``) the hooks stop calling it at all.
"""

from __future__ import annotations

import functools
import os
import re
import sys
import threading
import weakref
from collections.abc import Callable
from pathlib import Path
from threading import get_ident
from types import FrameType
from typing import Any

import numpy as np

from tapetui.record import tf_objects as tfo
from tapetui.record.budget import DEFAULT_BUDGET, Budget
from tapetui.record.frames import ScenarioFiles
from tapetui.record.gradients import GradientBook
from tapetui.record.guard import Guard, forget_in_fork
from tapetui.record.leaves import Leaves
from tapetui.record.library import LibraryPlaces
from tapetui.record.names import NameScanner
from tapetui.record.naming import Naming
from tapetui.record.optimizers import OptimizerWatch
from tapetui.record.reports import BookReports
from tapetui.record.steps import StepRows
from tapetui.record.summary import Summarised
from tapetui.record.tapes import TapeBook
from tapetui.record.tf_hooks import EagerTensor
from tapetui.record.threads import thread_name
from tapetui.record.values import held
from tapetui.record.variables import VariableBook
from tapetui.trace.events import (
    BoundaryEvent,
    Event,
    OpEvent,
    OutputEvent,
)
from tapetui.trace.model import Tensor, Variable

Sink = Callable[[str, Any], None]
"""Receives each record: ``sink("tensor", Tensor(...))``, ``sink("event", OpEvent(...))``."""

_NO_TAPES: list[int] = []
"""An op no tape records: one empty list shared by the events of all such ops (read only)."""
_FUNCTION_OP = re.compile(r"^__(?:inference|forward)_(?:__backward_)?(.+?)_\d+(?:_\d+)?$")
_MAX_INTERNAL_ERRORS = 20


@functools.lru_cache(maxsize=4096)
def function_name(op_type: str) -> str | None:
    """``square`` for the op ``__inference_square_24`` a ``tf.function`` call runs as."""
    match = _FUNCTION_OP.match(op_type)
    return match.group(1) if match else None


_SHAPES: dict[tuple[int, ...], list[int]] = {}


def _shape(shape: tuple[int, ...]) -> list[int]:
    """One list per shape, shared by the records of that shape (read only: a full-detail
    recording keeps every record, and every list is one more for the garbage collector)."""
    listed = _SHAPES.get(shape)
    if listed is None:
        if len(_SHAPES) >= 4096:
            _SHAPES.clear()
        listed = _SHAPES[shape] = list(shape)
    return listed


def _value_fields(t: Any, budget: Budget) -> tuple[str, list[int], Any, Any]:
    """A tensor record's dtype, shape, value and summary (``held``: small values as arrays)."""
    value, dtype = tfo.value_and_dtype(t)
    if value is None:
        return dtype, [int(d) for d in t.shape], None, None
    if type(value) is not np.ndarray:  # a scalar string is bytes
        value = np.asarray(value)
    data, summary = held(value, budget.elements, budget.preview)
    return dtype, _shape(value.shape), data, summary


class _ThisThread(threading.local):
    assigning = False
    tracing = 0
    """How deep this thread is in traces of functions before their eager calls (``Tracing``)."""


class Recorder(BookReports):
    """Holds what was recorded so far and sends every new fact to the sink at once."""

    def __init__(self, sink: Sink, files: ScenarioFiles, budget: Budget = DEFAULT_BUDGET) -> None:
        self.sink = sink
        self.files = files
        self.budget = budget
        self._sink_flush: Callable[[], None] = getattr(sink, "flush", lambda: None)
        if hasattr(sink, "upstream"):  # a RecordWriter: its timed flushes send step rows too
            sink.upstream = self.send_steps
        self.steps: StepRows | None = None
        """Summarised, tapes and gradient calls are queued here as rows (``tapetui.record.steps``)."""
        self.seq = 0
        self.op_count = 0
        self.summarised: Summarised | None = None
        """Set once the detail budget is spent: from then on ops are not observed."""
        self.on_summarise: Callable[[], None] = lambda: None
        """Called when summarising starts (the hooks stop observing every op)."""
        self._here = _ThisThread()
        self._mute = 0
        self.tensors: dict[int, Tensor] = {}
        self.variables: dict[int, Variable] = {}
        self.ops: dict[int, OpEvent] = {}
        self.producer: dict[int, int] = {}
        self.op_index: dict[tuple[str, tuple[int, ...]], tuple[int, ...]] = {}
        self.places = LibraryPlaces(files)
        self.leaves = Leaves(self)
        self.tapes = TapeBook(self, self.leaves)
        self.gradients = GradientBook(self, self.tapes, self.leaves)
        self.optimizers = OptimizerWatch(self, self.gradients)
        self.naming = Naming(self, self.tapes)
        self.names = NameScanner(self.naming.take, generation=self.variables.__len__)
        self.variable_book = VariableBook(self)
        self.notes: dict[str, Any] = {"tf_disagreements": 0, "internal_errors": []}
        self._synthetic = 0
        self._errors_sent = 0
        self._lock = threading.RLock()
        self._owner = 0
        """The thread inside recorder code while ``_mute`` > 0 (``Guard``)."""
        self._guard = Guard(self)
        self._tracers = 0
        """How many threads are tracing (``_here.tracing``): none, and ``muted`` reads no more."""
        os.register_at_fork(after_in_child=functools.partial(forget_in_fork, weakref.ref(self)))

    # --- plumbing ----------------------------------------------------------------------------

    @property
    def assigning(self) -> bool:
        """True while this thread runs a variable's ``assign`` (its own ops are not assigns)."""
        return self._here.assigning

    @assigning.setter
    def assigning(self, assigning: bool) -> None:
        self._here.assigning = assigning

    @property
    def muted(self) -> bool:
        """True inside recorder code on this thread (its TensorFlow calls are not recorded)."""
        return (self._mute > 0 and self._owner == get_ident()) or (
            self._tracers > 0 and self._here.tracing > 0
        )

    def guard(self) -> Guard:
        """Run recorder code: TF ops it causes are not recorded, and its own bugs never reach
        the scenario (they are noted in the trace's meta instead)."""
        return self._guard

    def emit(self, key: str, value: Any) -> None:
        with self._lock:  # a scenario's thread may print while the main thread runs ops
            if self.steps is not None:
                self.steps.send()  # what came before goes first
            self.sink(key, value)

    def numbered(self, add: Callable[[int], None]) -> None:
        """``add(seq)`` with the next number of the timeline, under the lock."""
        with self._lock:
            add(self.seq)
            self.seq += 1

    def event(self, cls: type[Event], where: tuple[str | None, int | None], **fields: Any) -> Any:
        with self._lock:
            event = cls(seq=self.seq, file=where[0], line=where[1], **fields)
            self.seq += 1
            self.emit("event", event)
        return event

    def flush(self) -> None:
        """Push every record out now (before the process may die)."""
        if self.steps is not None or len(self.notes["internal_errors"]) != self._errors_sent:
            self.send_steps()
        self._sink_flush()

    def send_steps(self) -> None:
        """Send the summarised step rows gathered so far (from any thread), and the recorder's
        own errors met since the last send: they reach the trace even if the process dies."""
        with self._lock:
            if self.steps is not None:
                self.steps.send()
            errors = self.notes["internal_errors"]
            if len(errors) != self._errors_sent:
                self._errors_sent = len(errors)
                self.emit("meta", {"meta": {"internal_errors": list(errors)}})

    def where(self, frame: FrameType | None = None) -> tuple[str | None, int | None]:
        """The scenario file and line running now; also picks up the names it bound."""
        found, name, line = self.places.scenario_at(frame or sys._getframe(1))
        self._found(found)
        return name, line

    def _found(self, frame: FrameType | None) -> None:
        """Record the sources of scenario files met for the first time, and the names the
        scenario's innermost frame bound."""
        while self.files.new_files:
            self._send_source(self.files.new_files.pop())
        if frame is not None and self.summarised is None:
            self.names.maybe_scan(frame)

    @property
    def summarising(self) -> bool:
        return self.summarised is not None

    def start_summary(self, reason: str) -> None:
        """The detail budget is spent: stop observing ops, and drop the per-op state."""
        if self.summarised is not None:
            return
        self.summarised = Summarised(reason, self.seq, self.tapes.count, self.op_count)
        for state in (self.ops, self.producer, self.op_index, self.tensors):
            state.clear()
        self.names.forget()
        self.emit("meta", {"meta": {"summarised": self.summarised.as_meta()}})
        self.steps = StepRows(self, self.tapes, self.gradients)
        self.on_summarise()

    def note_internal_error(self, exc: BaseException) -> None:
        """Note one of the recorder's own bugs, caught where recording can go on."""
        errors = self.notes["internal_errors"]
        if len(errors) < _MAX_INTERNAL_ERRORS:
            errors.append(f"{type(exc).__name__}: {exc}")

    def final_notes(self) -> dict[str, Any]:
        """What the trace's meta should say at the end: problems met, and what was summarised."""
        notes = {k: v for k, v in self.notes.items() if v}
        if self.summarised is not None:
            notes["summarised"] = self.summarised.as_meta()
        return notes

    def _send_source(self, path: str) -> None:
        name = self.files.name(path)
        text = Path(path).read_text(encoding="utf-8", errors="replace")
        self.emit("source", {"file": name, "text": text})

    def synthetic_id(self) -> int:
        """An id for a value tapetui computed itself (never clashes with TensorFlow's ids)."""
        self._synthetic -= 1
        return self._synthetic

    def thread_seen_late(self) -> None:
        """A thread's ops are observed only from its first tape on (it was not started through
        ``threading``): what it ran before is missing from the trace, which says so."""
        late = self.notes.setdefault("threads_seen_late", [])
        name = thread_name() or "MainThread"
        if name not in late:
            late.append(name)
            self.emit("meta", {"meta": {"threads_seen_late": list(late)}})

    # --- names the scenario gave (``tapetui.record.naming``) ----------------------------------

    def bound_name(self, obj: Any) -> str | None:
        return self.naming.bound_name(obj, sys._getframe(1))

    def name_target(self, structure: Any) -> None:
        self.naming.name_target(structure, sys._getframe(1))

    def label(self, obj: Any, ref: int | None) -> str:
        return self.naming.label(obj, ref)

    def scan_names(self, frame: Any) -> None:
        """Take the names bound in ``frame`` (or any object with ``f_locals``)."""
        self.names.scan(frame)

    # --- tensors -------------------------------------------------------------------------------

    def tensor_record(
        self,
        t: Any,
        producer: int | None,
        where: tuple[str | None, int | None],
        variable: int | None = None,
        name: str | None = None,
        ref: int | None = None,
    ) -> Tensor:
        """Record an eager tensor (``ref``: its id, when the caller has it)."""
        dtype, shape, data, summary = _value_fields(t, self.budget)
        if ref is None:
            ref = tfo.ref_of(t) or 0
        record = Tensor(ref, dtype, shape, data, summary, name, producer, variable, *where)
        if self.summarised is None:  # summarised: nothing will look it up again
            self.tensors[ref] = record
        self.emit("tensor", record)
        return record

    def ensure_tensor(
        self,
        t: Any,
        boundary: bool,
        how: str = "constant",
        name: str | None = None,
        where: tuple[str | None, int | None] | None = None,
    ) -> Tensor | None:
        """The record of a tensor, created (with a boundary-in event) the first time it is seen
        (``where``: the caller's ``where()``, when it has it)."""
        ref = tfo.ref_of(t)
        if ref is None or not isinstance(t, EagerTensor):
            return None
        record = self.tensors.get(ref)
        if record is not None:
            return record
        if where is None:
            where = self.where()
        record = self.tensor_record(t, None, where, name=name, ref=ref)
        if boundary and self.summarised is None and record.dtype != "resource":
            self.event(BoundaryEvent, where, tensor=record.id, direction="in", how=how)
        return record

    # --- ops -----------------------------------------------------------------------------------

    def on_op(
        self, op_type: str | bytes, inputs: list[Any], attrs: Any, outputs: list[Any]
    ) -> None:
        op_type = op_type.decode() if isinstance(op_type, bytes) else op_type
        if self.summarised is None and self.budget.detailed_ops_exceeded(self.op_count + 1):
            self.start_summary("ops")
        if self.summarised is not None:  # only until the hooks have stopped observing ops
            return
        found, file, line, library, layer = self.places.locate(sys._getframe())
        self._found(found)
        where = file, line
        backward = self.gradients.depth > 0
        in_ids, out_ids = tfo.ids_of(inputs), tfo.ids_of(outputs)
        tensors = self.tensors
        for t, ref in zip(inputs, in_ids, strict=True):
            if ref not in tensors:
                self.ensure_tensor(t, boundary=not backward, where=where)
        function = function_name(op_type)
        recorded = self.tapes.record_op(op_type, inputs, in_ids, out_ids, function is not None)
        self.op_count += 1
        op_id = self.op_count
        variable = (
            in_ids[0] if op_type == "ReadVariableOp" and in_ids[0] in self.variables else None
        )
        # What ``tensor_record`` and ``emit`` do, written out: the hook holds the lock, and no
        # step rows are queued before the detail budget is spent.
        producer, sink, budget = self.producer, self.sink, self.budget
        for t, ref in zip(outputs, out_ids, strict=True):
            dtype, shape, data, summary = _value_fields(t, budget)
            record = Tensor(ref, dtype, shape, data, summary, None, op_id, variable, file, line)
            tensors[ref] = record
            producer[ref] = op_id
            sink("tensor", record)
        # The event is kept for the whole run (the backward pass looks its op up): its id lists
        # as tuples of ints, which the garbage collector stops tracking, so its full collections
        # do not walk three lists for every op recorded (the text written is the same).
        event = OpEvent(
            self.seq, file, line, op_id, op_type, tuple(in_ids), tuple(out_ids),  # type: ignore[arg-type]
            tuple(recorded) if recorded else _NO_TAPES, function, backward,  # type: ignore[arg-type]
            tfo.readable_attrs(attrs), library, layer, thread_name(),
        )  # fmt: skip
        self.seq += 1
        sink("event", event)
        self.ops[op_id] = event
        index, key = self.op_index, (op_type, tuple(in_ids))
        index[key] = (*index.get(key, ()), op_id)  # a tuple of ints: untracked by the GC
        if backward:
            self.gradients.on_backward_op(event)

    # --- variables and values leaving TensorFlow (``tapetui.record.variables``) ----------------

    def on_variable_created(self, var: Any) -> None:
        self.variable_book.created(var, sys._getframe(1))

    def on_assign(self, var: Any, method: str, value: Any) -> None:
        self.variable_book.assigned(var, method, value)

    def on_boundary(self, obj: Any, how: str, caller: FrameType) -> None:
        self.variable_book.left(obj, how, caller)

    def on_output(self, stream: str, text: str) -> None:
        self.event(OutputEvent, self.where(), stream=stream, text=text)
        self.flush()  # what was printed, and what ran before it, survive a crash right after
