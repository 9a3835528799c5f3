"""What a leaf of a structure handed to or returned by TensorFlow is recorded as when it is not
an eager tensor or a variable: an ``IndexedSlices`` gradient (its dense value), a Python number
or NumPy array (a ``tf.custom_gradient`` may return one, and TensorFlow hands it on as the
gradient), or an object TensorFlow could not use (a Keras symbolic input passed as a source).

Each gets a record of its own under a synthetic id, so a trace never holds a leaf without one.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any

import numpy as np

from tapetui.record import tf_hooks as tfh
from tapetui.record.values import densified

if TYPE_CHECKING:
    from tapetui.record.recorder import Recorder

_PLAIN = (bool, int, float, complex, np.generic, np.ndarray)


def is_slices(obj: Any) -> bool:
    return type(obj).__name__ == "IndexedSlices" and hasattr(obj, "indices")


def describe(obj: Any) -> tuple[str, list[int] | None, np.ndarray | None]:
    """``(dtype, shape, value)`` of a leaf that is not an eager tensor (value ``None`` when
    there is none to show)."""
    if is_slices(obj):
        values = np.asarray(tfh.value_of(obj.values))
        shape = obj.dense_shape
        if shape is None:
            return obj.values.dtype.name, list(values.shape), values
        indices = np.asarray(tfh.value_of(obj.indices))
        dense = densified(values, indices, np.asarray(tfh.value_of(shape)))
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

    def __init__(self, rec: Recorder) -> None:
        self.rec = rec
        self._foreign: dict[int, tuple[Any, int]] = {}

    def ref(self, obj: Any, name: str | None = None) -> int:
        """The id of ``obj``'s record, recorded the first time (or each time for a value)."""
        rec = self.rec
        known = self._known(obj)
        if known is not None:
            return known
        dtype, shape, value = describe(obj)
        if value is None and not (is_slices(obj) or isinstance(obj, _PLAIN)):
            name = name or label_of(obj)
        record = rec.value_record(dtype, shape, value, name)
        if value is None:
            self._remember(obj, record.id)
        return record.id

    def _known(self, obj: Any) -> int | None:
        entry = self._foreign.get(id(obj))
        if entry is not None and entry[0]() is obj:
            return entry[1]
        return None

    def _remember(self, obj: Any, ref: int) -> None:
        if type(obj).__weakrefoffset__:
            self._foreign[id(obj)] = (weakref.ref(obj), ref)
