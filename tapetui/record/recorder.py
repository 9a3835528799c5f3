"""The recorder: turns what the TensorFlow hooks report into trace records, as they happen.

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

from tapetui.record import tf_hooks as tfh
from tapetui.record.budget import DEFAULT_BUDGET, Budget
from tapetui.record.frames import ScenarioFiles
from tapetui.record.gradients import GradientBook
from tapetui.record.guard import Guard, forget_in_fork
from tapetui.record.leaves import Leaves
from tapetui.record.library import LibraryPlaces, library_binding
from tapetui.record.names import NameScanner, distinct
from tapetui.record.optimizers import OptimizerWatch
from tapetui.record.steps import StepRows
from tapetui.record.summary import Summarised
from tapetui.record.tapes import TapeBook
from tapetui.record.threads import thread_name
from tapetui.record.values import capture
from tapetui.trace.events import (
    AssignEvent,
    BoundaryEvent,
    Event,
    OpEvent,
    OutputEvent,
    VariableCreatedEvent,
)
from tapetui.trace.model import Tensor, Variable, flatten

Sink = Callable[[str, Any], None]
"""Receives each record: ``sink("tensor", Tensor(...))``, ``sink("event", OpEvent(...))``."""

_FUNCTION_OP = re.compile(r"^__(?:inference|forward)_(?:__backward_)?(.+?)_\d+(?:_\d+)?$")
_NUMPY_DIR = f"{os.sep}numpy{os.sep}"
_KERAS_DIR = f"{os.sep}keras{os.sep}"
_HANDS_BACK_NUMPY = (_NUMPY_DIR, _KERAS_DIR)
"""Libraries whose calls hand the scenario NumPy (``np.mean(t)``, Keras ``predict``): a tensor
they convert for a scenario's call leaves TensorFlow at the scenario's line."""
_MAX_INTERNAL_ERRORS = 20


@functools.lru_cache(maxsize=4096)
def function_name(op_type: str) -> str | None:
    """``square`` for the op ``__inference_square_24`` a ``tf.function`` call runs as."""
    match = _FUNCTION_OP.match(op_type)
    return match.group(1) if match else None


class _ThisThread(threading.local):
    assigning = False


class Recorder:
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
        self.op_index: dict[tuple[str, tuple[int, ...]], list[int]] = {}
        self.named: set[int] = set()
        self.names = NameScanner(self._take_name)
        self.places = LibraryPlaces(files)
        self.optimizers = OptimizerWatch(self)
        self.tapes = TapeBook(self)
        self.gradients = GradientBook(self)
        self.leaves = Leaves(self)
        self.notes: dict[str, Any] = {"tf_disagreements": 0, "internal_errors": []}
        self._synthetic = 0
        self._errors_sent = 0
        self._lock = threading.RLock()
        self._owner = 0
        """The thread inside recorder code while ``_mute`` > 0 (``Guard``)."""
        self._guard = Guard(self)
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
        return self._mute > 0 and self._owner == get_ident()

    def guard(self) -> Guard:
        """Run recorder code: TF ops it causes are not recorded, and its own bugs never reach
        the scenario (they are noted in the trace's meta instead)."""
        return self._guard

    def emit(self, key: str, value: Any) -> None:
        with self._lock:  # a scenario's thread may print while the main thread runs ops
            if self.steps is not None:
                self.steps.send()  # what came before goes first
            self.sink(key, value)

    def event(self, cls: type[Event], where: tuple[str | None, int | None], **fields: Any) -> Any:
        with self._lock:
            event = cls(seq=self.seq, file=where[0], line=where[1], **fields)
            self.seq += 1
            self.emit("event", event)
        return event

    def flush(self) -> None:
        """Push every record out now (before the process may die)."""
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
        found, name, _ = self.files.innermost(frame or sys._getframe(1))
        while self.files.new_files:
            self._send_source(self.files.new_files.pop())
        if found is None:
            return None, None
        if self.summarised is None:
            self.names.maybe_scan(found)
        return name, found.f_lineno

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
        self.steps = StepRows(self)
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

    # --- names the scenario gave ---------------------------------------------------------------

    def bound_name(self, obj: Any) -> str | None:
        """The name bound to ``obj`` itself: by the innermost scenario frame, else by the
        nearest Keras frame below it (``loss`` in Keras's ``train_step`` under ``fit``)."""
        start = sys._getframe(1)
        frame = self.files.innermost(start)[0]
        if frame is not None:
            name = next((k for k, v in frame.f_locals.items() if v is obj), None)
            if name is not None:
                return name
        return library_binding(start, frame, obj)

    def name_target(self, structure: Any) -> None:
        """Name a gradient call's target tensors the scenario did not name, as the Keras code
        that computed them did (``loss``)."""
        start = sys._getframe(1)
        for leaf in flatten(structure):
            ref = tfh.ref_of(leaf)
            record = self.tensors.get(ref) if ref is not None else None
            if record is None or record.name or ref in self.named:
                continue
            name = library_binding(start, self.files.innermost(start)[0], leaf)
            if name is not None:
                self.named.add(ref)  # type: ignore[arg-type]
                record.name = name
                self.emit("tensor", record)

    def on_gradient_returned(self, arguments: dict[str, Any], result: Any) -> None:
        """A gradient call returned: its sources get names no two of them share (``layer.kernel``
        bound in a loop over two layers reads ``layer.kernel`` and ``layer.kernel#2``)."""
        self.optimizers.returned(arguments, result)
        refs = [tfh.ref_of(s) for s in flatten(arguments.get("sources", arguments.get("source")))]
        found = {r: self.variables[r] for r in refs if r in self.variables}
        named = [(var, var.pyname) for var in found.values() if var.pyname]
        if len({name for _, name in named}) == len(named):
            return
        alternatives = [var.name if var.keras else None for var, _ in named]
        unique = distinct([name for _, name in named], alternatives)
        for (var, old), name in zip(named, unique, strict=True):
            if name != old:
                var.pyname = name
                self.emit("variable", var)

    def scan_names(self, frame: Any) -> None:
        """Take the names bound in ``frame`` (or any object with ``f_locals``)."""
        self.names.scan(frame)

    def _take_name(self, name: str, value: Any) -> bool:
        """Name what ``value`` is; True when nothing more can come of this binding later."""
        if isinstance(value, tfh.EagerTensor):
            ref = tfh.ref_of(value)
            if ref is None or ref in self.named:
                return True
            self.named.add(ref)
            record = self.tensors.get(ref) or self.ensure_tensor(value, boundary=True)
            if record is not None:
                record.name = name
                self.emit("tensor", record)
        elif isinstance(value, tfh.GradientTape):
            self.tapes.name_tape(value, name)
        elif tfh.as_tf_variable(value) is not None:
            self._name_variable(name, value)
        elif tfh.is_keras_object(value):  # a layer may be built, and get variables, later
            for path, var in tfh.layer_variables(value):
                # A layer's own variable reads as `layer.kernel`; a sublayer's by its Keras
                # path below the model (`dense_1/kernel`), as Keras itself names it.
                self._name_variable(path if "/" in path else f"{name}.{path}", var)
            return False
        return True

    def _name_variable(self, name: str, value: Any) -> None:
        ref = tfh.ref_of(value)
        var = self.variables.get(ref) if ref is not None else None
        if var is None or ref is None or ref in self.named:
            return
        self.named.add(ref)
        var.pyname = name
        var.keras = var.keras or tfh.is_keras_variable(value)
        self.emit("variable", var)

    def label(self, obj: Any, ref: int | None) -> str:
        """How a watch item or structure leaf reads: its Python name where the scenario has one,
        else its Keras path or TensorFlow name."""
        var = self.variables.get(ref) if ref is not None else None
        if var is not None:
            return var.pyname or f"Variable '{var.name}'"
        tensor = self.tensors.get(ref) if ref is not None else None
        if tensor is not None:
            return tensor.name or f"{tensor.dtype} tensor #{ref}"
        return type(obj).__name__

    # --- tensors -------------------------------------------------------------------------------

    def tensor_record(
        self,
        t: Any,
        producer: int | None,
        where: tuple[str | None, int | None],
        variable: int | None = None,
        name: str | None = None,
    ) -> Tensor:
        value = tfh.value_of(t)
        if value is None:
            data, summary, shape = None, None, [int(d) for d in t.shape]
        else:
            if type(value) is not np.ndarray:  # a scalar string is bytes
                value = np.asarray(value)
            data, summary = capture(value, self.budget.elements, self.budget.preview)
            shape = list(value.shape)
        record = Tensor(
            id=tfh.ref_of(t) or 0,
            dtype=t.dtype.name,
            shape=shape,
            data=data,
            summary=summary,
            producer=producer,
            variable=variable,
            name=name,
            file=where[0],
            line=where[1],
        )
        if self.summarised is None:  # summarised: nothing will look it up again
            self.tensors[record.id] = record
        self.emit("tensor", record)
        return record

    def ensure_tensor(
        self, t: Any, boundary: bool, how: str = "constant", name: str | None = None
    ) -> Tensor | None:
        """The record of a tensor, created (with a boundary-in event) the first time it is seen."""
        ref = tfh.ref_of(t)
        if ref is None or not isinstance(t, tfh.EagerTensor):
            return None
        record = self.tensors.get(ref)
        if record is not None:
            return record
        where = self.where()
        record = self.tensor_record(t, None, where, name=name)
        if boundary and self.summarised is None and t.dtype.name != "resource":
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
        where = self.where()
        library, layer = self.places.of(sys._getframe())
        backward = self.gradients.depth > 0
        in_ids, out_ids = tfh.ids_of(inputs), tfh.ids_of(outputs)
        tensors = self.tensors
        for t, ref in zip(inputs, in_ids, strict=True):
            if ref not in tensors:
                self.ensure_tensor(t, boundary=not backward)
        function = function_name(op_type)
        recorded = self.tapes.record_op(op_type, inputs, in_ids, out_ids, function is not None)
        self.op_count += 1
        op_id = self.op_count
        variable = (
            in_ids[0] if op_type == "ReadVariableOp" and in_ids[0] in self.variables else None
        )
        for t, ref in zip(outputs, out_ids, strict=True):
            self.tensor_record(t, op_id, where, variable)
            self.producer[ref] = op_id
        event = self.event(
            OpEvent,
            where,
            op=op_id,
            op_type=op_type,
            inputs=in_ids,
            outputs=out_ids,
            recorded_by=recorded,
            function=function,
            backward=backward,
            attrs=tfh.readable_attrs(attrs),
            library=library,
            layer=layer,
            thread=thread_name(),
        )
        self.ops[op_id] = event
        self.op_index.setdefault((op_type, tuple(in_ids)), []).append(op_id)
        if backward:
            self.gradients.on_backward_op(event)

    # --- variables and values leaving TensorFlow -------------------------------------------------

    def on_variable_created(self, var: Any) -> None:
        ref = tfh.ref_of(var)
        if ref is None:
            return
        where = self.where()
        data, summary = capture(tfh.read_variable(var), self.budget.elements, self.budget.preview)
        keras = _keras_creator(sys._getframe(1))
        record = Variable(
            id=ref,
            name=tfh.keras_path(keras) or var.name.split(":")[0],
            dtype=var.dtype.name,
            shape=[int(d) for d in var.shape],
            trainable=bool(var.trainable),
            keras=keras is not None,
            data=data,
            summary=summary,
            file=where[0],
            line=where[1],
        )
        self.variables[ref] = record
        self.emit("variable", record)
        self.event(VariableCreatedEvent, where, variable=ref)

    def on_assign(self, var: Any, method: str, value: Any) -> None:
        ref = tfh.ref_of(var)
        if ref is None or self.summarised is not None:
            return
        where = self.where()
        self.ensure_tensor(value, boundary=True)
        value_ref = tfh.ref_of(value) if isinstance(value, tfh.EagerTensor) else None
        last = self.ops.get(self.op_count)
        if value_ref is None and last is not None and last.inputs[:1] == [ref]:
            value_ref = last.inputs[-1]  # a Python number, converted by the Assign op itself
        self.event(AssignEvent, where, variable=ref, method=method, value=value_ref)

    def on_boundary(self, obj: Any, how: str, caller: FrameType) -> None:
        if self.summarised is not None or not self.files.caller_is_scenario(
            caller, skip=_HANDS_BACK_NUMPY
        ):
            return
        ref = tfh.ref_of(obj)
        if ref is None:
            return
        self.ensure_tensor(obj, boundary=True)
        self.event(BoundaryEvent, self.where(caller), tensor=ref, direction="out", how=how)

    def on_output(self, stream: str, text: str) -> None:
        self.event(OutputEvent, self.where(), stream=stream, text=text)
        self.flush()  # what was printed, and what ran before it, survive a crash right after

    # --- tapes (delegated) -----------------------------------------------------------------------

    def on_tape_created(self, gt: Any, persistent: bool, watch_accessed: bool) -> None:
        place = self.files.place(sys._getframe(1))
        self.tapes.created(gt, persistent, watch_accessed, self.where(), place=place)

    def on_tape_enter(self, gt: Any, parent: Any) -> None:
        self.tapes.entered(gt, parent, self.where())

    def on_tape_exit(self, gt: Any, *_: Any) -> None:
        self.tapes.exited(gt, self.where())

    def on_tape_reset(self, gt: Any) -> None:
        self.tapes.reset(gt, self.where())

    def on_stop_recording(self, gt: Any, stopped: bool) -> None:
        self.tapes.stop_recording(gt, stopped, self.where())

    def on_watch(self, gt: Any, structure: Any, error: BaseException | None) -> None:
        self.tapes.watch(gt, structure, error, self.where())

    def on_variables_accessed(self, variables: list[Any]) -> None:
        self.tapes.variables_accessed(variables)

    def on_backward_step(self, *args: Any) -> None:
        self.gradients.backward_step(*args)


def _keras_creator(frame: FrameType | None) -> Any:
    """The Keras ``Variable`` creating this ``tf.Variable`` for itself, else ``None``."""
    for _ in range(24):
        if frame is None:
            return None
        if frame.f_code.co_name == "_initialize" and "keras" in frame.f_code.co_filename:
            owner = frame.f_locals.get("self")
            return owner if tfh.is_keras_variable(owner) else None
        frame = frame.f_back
    return None
