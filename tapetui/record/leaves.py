"""What a leaf of a structure handed to or returned by TensorFlow is recorded as when it is not
an eager tensor or a variable: an ``IndexedSlices`` gradient (its dense value), a Python number
or NumPy array (a ``tf.custom_gradient`` may return one, and TensorFlow hands it on as the
gradient), or an object TensorFlow could not use (a Keras symbolic input passed as a source).

Each gets a record of its own under a synthetic id, so a trace never holds a leaf without one.
"""

from __future__ import annotations

import weakref
from typing import Any

import numpy as np

from tapetui.record import tf_objects as tfo
from tapetui.record.observer import Journal
from tapetui.record.values import capture, densified
from tapetui.trace.model import Tensor

_PLAIN = (bool, int, float, complex, np.generic, np.ndarray)


def is_slices(obj: Any) -> bool:
    return type(obj).__name__ == "IndexedSlices" and hasattr(obj, "indices")


def describe(obj: Any) -> tuple[str, list[int] | None, np.ndarray | None]:
    """``(dtype, shape, value)`` of a leaf that is not an eager tensor (value ``None`` when
    there is none to show)."""
    if is_slices(obj):
        values = np.asarray(tfo.value_of(obj.values))
        shape = obj.dense_shape
        if shape is None:
            return obj.values.dtype.name, list(values.shape), values
        indices = np.asarray(tfo.value_of(obj.indices))
        dense = densified(values, indices, np.asarray(tfo.value_of(shape)))
        return obj.values.dtype.name, list(dense.shape), dense
    if isinstance(obj, _PLAIN):
        array = np.asarray(obj)
        return array.dtype.name, list(array.shape), array
    dtype = getattr(obj, "dtype", None)
    try:
        shape = [int(d) for d in obj.shape]
    except (AttributeError, TypeError, ValueError):
        shape = None
    return str(getattr(dtype, "name", dtype or type(obj).__name__)), shape, None


def label_of(obj: Any) -> str:
    """How a foreign leaf reads: ``KerasTensor 'keras_tensor'``."""
    name = getattr(obj, "name", None)
    kind = type(obj).__name__
    return f"{kind} {name!r}" if isinstance(name, str) and name else kind


class Leaves:
    """Synthetic ids for leaves without a TensorFlow id; the same foreign object keeps one id
    (known by a weak reference: the object is never kept alive)."""

    def __init__(self, rec: Journal) -> None:
        self.rec = rec
        self._foreign: dict[int, tuple[Any, int]] = {}

    def ref_for(self, obj: Any, boundary: bool = True, name: str | None = None) -> int | None:
        """The trace id of a structure's leaf, recorded the first time: a tensor or variable,
        or any other value; ``None`` stays ``None``."""
        if obj is None:
            return None
        ref = tfo.ref_of(obj)
        if ref is None:
            return self.ref(obj, name)
        self.rec.ensure_tensor(obj, boundary=boundary, name=name)
        return ref

    def ref(self, obj: Any, name: str | None = None) -> int:
        """The id of the record of ``obj``, which has no TensorFlow id, recorded the first time
        (each time for a value)."""
        known = self._known(obj)
        if known is not None:
            return known
        dtype, shape, value = describe(obj)
        if value is None and not (is_slices(obj) or isinstance(obj, _PLAIN)):
            name = name or label_of(obj)
        record = self._record(dtype, shape, value, name)
        if value is None:
            self._remember(obj, record.id)
        return record.id

    def _record(self, dtype: str, shape: list[int] | None, value: Any, name: str | None) -> Tensor:
        rec = self.rec
        data, summary = (
            (None, None)
            if value is None
            else capture(value, rec.budget.elements, rec.budget.preview)
        )
        where = rec.where()
        record = Tensor(
            rec.synthetic_id(), dtype, shape, data, summary, name, file=where[0], line=where[1]
        )
        if not rec.summarising:
            rec.tensors[record.id] = record
        rec.emit("tensor", record)
        return record

    def _known(self, obj: Any) -> int | None:
        entry = self._foreign.get(id(obj))
        if entry is not None and entry[0]() is obj:
            return entry[1]
        return None

    def _remember(self, obj: Any, ref: int) -> None:
        if type(obj).__weakrefoffset__:
            self._foreign[id(obj)] = (weakref.ref(obj), ref)
