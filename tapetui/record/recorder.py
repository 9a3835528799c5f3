"""The recorder: turns what the TensorFlow hooks report into trace records, as they happen."""

from __future__ import annotations

import contextlib
import os
import re
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType
from typing import Any

from tapetui.record import tf_hooks as tfh
from tapetui.record.frames import ScenarioFiles
from tapetui.record.gradients import GradientBook
from tapetui.record.tapes import TapeBook
from tapetui.record.values import VALUE_BUDGET, capture
from tapetui.trace.events import (
    AssignEvent,
    BoundaryEvent,
    Event,
    OpEvent,
    OutputEvent,
    VariableCreatedEvent,
)
from tapetui.trace.model import Tensor, Variable

Sink = Callable[[str, Any], None]
"""Receives each record: ``sink("tensor", Tensor(...))``, ``sink("event", OpEvent(...))``."""

_FUNCTION_OP = re.compile(r"^__(?:inference|forward)_(?:__backward_)?(.+?)_\d+(?:_\d+)?$")
_NUMPY_DIR = f"{os.sep}numpy{os.sep}"
_MAX_INTERNAL_ERRORS = 20


def function_name(op_type: str) -> str | None:
    """``square`` for the op ``__inference_square_24`` a ``tf.function`` call runs as."""
    match = _FUNCTION_OP.match(op_type)
    return match.group(1) if match else None


class Recorder:
    """Holds what was recorded so far and sends every new fact to the sink at once."""

    def __init__(self, sink: Sink, files: ScenarioFiles, budget: int = VALUE_BUDGET) -> None:
        self.sink = sink
        self.files = files
        self.budget = budget
        self.seq = 0
        self.assigning = False
        self._mute = 0
        self.tensors: dict[int, Tensor] = {}
        self.variables: dict[int, Variable] = {}
        self.ops: dict[int, OpEvent] = {}
        self.producer: dict[int, int] = {}
        self.op_index: dict[tuple[str, tuple[int, ...]], list[int]] = {}
        self.named: set[int] = set()
        self.tapes = TapeBook(self)
        self.gradients = GradientBook(self)
        self.notes: dict[str, Any] = {"tf_disagreements": 0, "internal_errors": []}
        self._synthetic = 0
        self._lock = threading.RLock()

    # --- plumbing ----------------------------------------------------------------------------

    @property
    def muted(self) -> bool:
        return self._mute > 0

    @contextlib.contextmanager
    def guard(self) -> Iterator[None]:
        """Run recorder code: TF ops it causes are not recorded, and its own bugs never reach
        the scenario (they are noted in the trace's meta instead)."""
        self._mute += 1
        try:
            yield
        except Exception as exc:
            errors = self.notes["internal_errors"]
            if len(errors) < _MAX_INTERNAL_ERRORS:
                errors.append(f"{type(exc).__name__}: {exc}")
        finally:
            self._mute -= 1

    def emit(self, key: str, value: Any) -> None:
        with self._lock:
            self.sink(key, value)

    def event(self, cls: type[Event], where: tuple[str | None, int | None], **fields: Any) -> Any:
        with self._lock:  # a scenario's thread may print while the main thread runs ops
            event = cls(seq=self.seq, file=where[0], line=where[1], **fields)
            self.seq += 1
            self.sink("event", event)
        return event

    def where(self, frame: FrameType | None = None) -> tuple[str | None, int | None]:
        """The scenario file and line running now; also picks up the names it bound."""
        found, name = self.files.innermost(frame or sys._getframe(1))
        while self.files.new_files:
            self._send_source(self.files.new_files.pop())
        if found is None:
            return None, None
        self.scan_names(found)
        return name, found.f_lineno

    def _send_source(self, path: str) -> None:
        name = self.files.name(path)
        text = Path(path).read_text(encoding="utf-8", errors="replace")
        self.emit("source", {"file": name, "text": text})

    def synthetic_id(self) -> int:
        """An id for a value tapetui computed itself (never clashes with TensorFlow's ids)."""
        self._synthetic -= 1
        return self._synthetic

    # --- names the scenario gave ---------------------------------------------------------------

    def scan_names(self, frame: FrameType) -> None:
        for name, value in list(frame.f_locals.items()):
            if name.startswith("__"):
                continue
            self._take_name(name, value)
            if type(value) in (list, tuple) and len(value) <= 16:
                for i, item in enumerate(value):
                    self._take_name(f"{name}[{i}]", item)

    def _take_name(self, name: str, value: Any) -> None:
        if isinstance(value, tfh.EagerTensor):
            ref = tfh.ref_of(value)
            if ref is None or ref in self.named:
                return
            self.named.add(ref)
            record = self.tensors.get(ref) or self.ensure_tensor(value, boundary=True)
            if record is not None:
                record.name = name
                self.emit("tensor", record)
        elif isinstance(value, tfh.GradientTape):
            self.tapes.name_tape(value, name)
        elif tfh.as_tf_variable(value) is not None:
            self._name_variable(name, value)
        else:
            for attr, var in tfh.layer_variables(value):
                self._name_variable(f"{name}.{attr}", var)

    def _name_variable(self, name: str, value: Any) -> None:
        ref = tfh.ref_of(value)
        var = self.variables.get(ref) if ref is not None else None
        if var is None or ref in self.named:
            return
        self.named.add(ref)
        var.pyname = name
        var.keras = var.keras or tfh.is_keras_variable(value)
        self.emit("variable", var)

    def label(self, obj: Any, ref: int | None) -> str:
        """How a watch item or structure leaf reads: its Python name where the scenario has one."""
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
    ) -> Tensor:
        value = tfh.value_of(t)
        data, summary = (None, None) if value is None else capture(value, self.budget)
        record = Tensor(
            id=tfh.ref_of(t) or 0,
            dtype=t.dtype.name,
            shape=[int(d) for d in t.shape],
            data=data,
            summary=summary,
            producer=producer,
            variable=variable,
            file=where[0],
            line=where[1],
        )
        self.tensors[record.id] = record
        self.emit("tensor", record)
        return record

    def ensure_tensor(self, t: Any, boundary: bool, how: str = "constant") -> Tensor | None:
        """The record of a tensor, created (with a boundary-in event) the first time it is seen."""
        ref = tfh.ref_of(t)
        if ref is None or not isinstance(t, tfh.EagerTensor):
            return None
        if ref in self.tensors:
            return self.tensors[ref]
        where = self.where()
        record = self.tensor_record(t, None, where)
        if boundary and t.dtype.name != "resource":
            self.event(BoundaryEvent, where, tensor=ref, direction="in", how=how)
        return record

    # --- ops -----------------------------------------------------------------------------------

    def on_op(
        self, op_type: str | bytes, inputs: list[Any], attrs: Any, outputs: list[Any]
    ) -> None:
        op_type = op_type.decode() if isinstance(op_type, bytes) else op_type
        where = self.where()
        backward = self.gradients.depth > 0
        for t in inputs:
            self.ensure_tensor(t, boundary=not backward)
        in_ids = [tfh.ref_of(t) or 0 for t in inputs]
        out_ids = [tfh.ref_of(t) or 0 for t in outputs]
        function = function_name(op_type)
        recorded = self.tapes.record_op(op_type, inputs, in_ids, out_ids, function is not None)
        op_id = len(self.ops) + 1
        variable = (
            in_ids[0] if op_type == "ReadVariableOp" and in_ids[0] in self.variables else None
        )
        for t in outputs:
            self.tensor_record(t, op_id, where, variable)
            self.producer[tfh.ref_of(t) or 0] = op_id
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
        data, summary = capture(tfh.read_variable(var), self.budget)
        record = Variable(
            id=ref,
            name=var.name.split(":")[0],
            dtype=var.dtype.name,
            shape=[int(d) for d in var.shape],
            trainable=bool(var.trainable),
            keras=_created_by_keras(sys._getframe(1)),
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
        if ref is None:
            return
        where = self.where()
        self.ensure_tensor(value, boundary=True)
        value_ref = tfh.ref_of(value) if isinstance(value, tfh.EagerTensor) else None
        last = self.ops.get(len(self.ops))
        if value_ref is None and last is not None and last.inputs[:1] == [ref]:
            value_ref = last.inputs[-1]  # a Python number, converted by the Assign op itself
        self.event(AssignEvent, where, variable=ref, method=method, value=value_ref)

    def on_boundary(self, obj: Any, how: str, caller: FrameType) -> None:
        if not self.files.caller_is_scenario(caller, skip=(_NUMPY_DIR,)):
            return
        ref = tfh.ref_of(obj)
        if ref is None:
            return
        self.ensure_tensor(obj, boundary=True)
        self.event(BoundaryEvent, self.where(caller), tensor=ref, direction="out", how=how)

    def on_output(self, stream: str, text: str) -> None:
        self.event(OutputEvent, self.where(), stream=stream, text=text)

    # --- tapes (delegated) -----------------------------------------------------------------------

    def on_tape_created(self, gt: Any, persistent: bool, watch_accessed: bool) -> None:
        self.tapes.created(gt, persistent, watch_accessed, self.where())

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


def _created_by_keras(frame: FrameType | None) -> bool:
    """True when a Keras ``Variable`` is creating this ``tf.Variable`` for itself."""
    for _ in range(24):
        if frame is None:
            return False
        if frame.f_code.co_name == "_initialize" and "keras" in frame.f_code.co_filename:
            return tfh.is_keras_variable(frame.f_locals.get("self"))
        frame = frame.f_back
    return False
