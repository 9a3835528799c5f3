"""Variables and values leaving TensorFlow: each ``tf.Variable`` made (named after the Keras
``Variable`` making it), each assign, and each tensor the scenario converts to Python or NumPy."""

from __future__ import annotations

import os
from types import FrameType
from typing import Any

from tapetui.record import tf_objects as tfo
from tapetui.record.observer import Journal
from tapetui.record.tf_hooks import EagerTensor, read_variable
from tapetui.record.values import capture
from tapetui.trace.events import AssignEvent, BoundaryEvent, VariableCreatedEvent
from tapetui.trace.model import Variable

_NUMPY_DIR = f"{os.sep}numpy{os.sep}"
_KERAS_DIR = f"{os.sep}keras{os.sep}"
_SCRIPT_OPS = f"{os.sep}ops{os.sep}script_ops.py"
_TF_UTIL_DIR = f"{os.sep}tensorflow{os.sep}python{os.sep}util{os.sep}"
_HANDS_BACK_NUMPY = (_NUMPY_DIR, _KERAS_DIR, _SCRIPT_OPS, _TF_UTIL_DIR)
"""Libraries whose calls hand the scenario NumPy (``np.mean(t)``, Keras ``predict``, an eager
``tf.numpy_function`` passing its inputs as arrays; TensorFlow's own wrappers around those): a
tensor they convert for a scenario's call leaves TensorFlow at the scenario's line."""


class VariableBook:
    """Records variables made and assigned, and tensors leaving TensorFlow."""

    def __init__(self, rec: Journal) -> None:
        self.rec = rec

    def created(self, var: Any, frame: FrameType) -> None:
        """A variable was made (``frame``: its ``__init__``'s caller)."""
        ref = tfo.ref_of(var)
        if ref is None:
            return
        where = self.rec.where()
        data, summary = capture(
            read_variable(var), self.rec.budget.elements, self.rec.budget.preview
        )
        keras = _keras_creator(frame)
        record = Variable(
            id=ref,
            name=tfo.keras_path(keras) or var.name.split(":")[0],
            dtype=var.dtype.name,
            shape=[int(d) for d in var.shape],
            trainable=bool(var.trainable),
            keras=keras is not None,
            data=data,
            summary=summary,
            file=where[0],
            line=where[1],
        )
        self.rec.variables[ref] = record
        self.rec.emit("variable", record)
        self.rec.event(VariableCreatedEvent, where, variable=ref)

    def assigned(self, var: Any, method: str, value: Any) -> None:
        ref = tfo.ref_of(var)
        if ref is None or self.rec.summarising:
            return
        where = self.rec.where()
        self.rec.ensure_tensor(value, boundary=True)
        value_ref = tfo.ref_of(value) if isinstance(value, EagerTensor) else None
        last = self.rec.ops.get(self.rec.op_count)
        if value_ref is None and last is not None and list(last.inputs[:1]) == [ref]:
            value_ref = last.inputs[-1]  # a Python number, converted by the Assign op itself
        self.rec.event(AssignEvent, where, variable=ref, method=method, value=value_ref)

    def left(self, obj: Any, how: str, caller: FrameType) -> None:
        if self.rec.summarising or not self.rec.files.caller_is_scenario(
            caller, skip=_HANDS_BACK_NUMPY
        ):
            return
        ref = tfo.ref_of(obj)
        if ref is None:
            return
        self.rec.ensure_tensor(obj, boundary=True)
        self.rec.event(BoundaryEvent, self.rec.where(caller), tensor=ref, direction="out", how=how)


def _keras_creator(frame: FrameType | None) -> Any:
    """The Keras ``Variable`` creating this ``tf.Variable`` for itself, else ``None``."""
    for _ in range(24):
        if frame is None:
            return None
        if frame.f_code.co_name == "_initialize" and "keras" in frame.f_code.co_filename:
            owner = frame.f_locals.get("self")
            return owner if tfo.is_keras_variable(owner) else None
        frame = frame.f_back
    return None
