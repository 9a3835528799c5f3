"""Reading TensorFlow and Keras objects for the recorder: a tensor's or variable's trace id, an
eager tensor's value, a tape's flags, a Keras layer's variables and their paths.

The private attributes read here (``_id``, ``_numpy``, ``_datatype_enum``, a tape's
``_persistent``, ``_watch_accessed_variables`` and ``_recording``) are listed in
``tf_hooks.PRIVATE_APIS`` with the rest of the private surface; no private module is imported
here.
"""

from __future__ import annotations

import functools
from typing import Any

import tensorflow as tf

from tapetui.record.tf_hooks import EagerTensor, TFVariable, is_differentiable_dtype


def as_tf_variable(obj: Any) -> Any:
    """The ``tf.Variable`` behind ``obj`` (itself, the one a Keras ``Variable`` wraps, or this
    replica's copy of a ``tf.distribute`` variable)."""
    if isinstance(obj, TFVariable):
        return obj
    inner = getattr(obj, "_value", None) if is_keras_variable(obj) else obj
    if isinstance(inner, TFVariable):
        return inner
    return _replica_copy(inner) if isinstance(inner, tf.Variable) else None


def _replica_copy(var: Any) -> Any:
    """The copy of a ``MirroredVariable`` (any ``DistributedVariable``) that this replica reads:
    the one whose handle is the variable's ``handle`` here (the first outside a replica)."""
    copies = getattr(var, "_values", None)
    if not isinstance(copies, tuple) or not copies:
        return None
    try:
        handle = var.handle
    except (ValueError, AttributeError):
        handle = None
    for copy in copies:
        if isinstance(copy, TFVariable) and (handle is None or copy.handle is handle):
            return copy
    return None


def is_keras_variable(obj: Any) -> bool:
    cls = type(obj)
    return cls.__module__.startswith("keras") and hasattr(obj, "_value") and hasattr(obj, "assign")


def is_keras_object(obj: Any) -> bool:
    """True for an instance of a Keras class (a layer, a model, an optimizer …), the
    scenario's own subclasses (``class Regressor(keras.Model)``) included; Keras 2's
    (``tf_keras``, what ``tf.keras`` is with ``TF_USE_LEGACY_KERAS=1``) too."""
    cls = type(obj)
    known = _KERAS_CLASSES.get(cls)
    if known is None:
        known = _KERAS_CLASSES[cls] = any(c.__module__.startswith(_KERAS) for c in cls.__mro__)
    return known


_KERAS = ("keras", "tf_keras")


_KERAS_CLASSES: dict[type, bool] = {}


def layer_variables(obj: Any) -> list[tuple[str, Any]]:
    """Each variable of a Keras layer or model (built or not) with its Keras path relative to
    ``obj``: ``[("kernel", var), ("bias", var)]`` for a layer's own, ``("dense_1/kernel", var)``
    for a sublayer's; ``[]`` for anything else."""
    if not is_keras_object(obj) or not hasattr(obj, "trainable_variables"):
        return []
    try:
        weights = list(obj.weights)
    except Exception:  # a half-built layer; nothing to name yet
        return []
    owner = f"/{getattr(obj, 'name', '')}/"
    named = []
    for w in weights:
        # Keras 3: the variable's path; Keras 2: its tf.Variable's name (``dense/kernel:0``)
        path = keras_path(w) or str(getattr(w, "name", "")).rsplit(":", 1)[0]
        cut = ("/" + path).rfind(owner)
        named.append((path[cut + len(owner) - 1 :] if cut >= 0 else path, w))
    return named


def module_variables(obj: Any) -> list[tuple[str, Any]] | None:
    """Each variable a plain ``tf.Module`` holds, with its attribute path (``w``,
    ``layers[0].w``); ``None`` for anything else (Keras objects are ``layer_variables``')."""
    if not isinstance(obj, tf.Module) or is_keras_object(obj):
        return None
    try:
        found = obj._flatten(predicate=_is_variable, with_path=True)
        return [("".join(_step(k) for k in path).lstrip("."), var) for path, var in found]
    except Exception:  # a module mid-construction; nothing to name yet
        return []


def _is_variable(obj: Any) -> bool:
    return isinstance(obj, tf.Variable)


def _step(key: Any) -> str:
    return f"[{key}]" if isinstance(key, int) else f".{key}"


def keras_path(obj: Any) -> str | None:
    """A Keras ``Variable``'s path (``sequential/dense_1/kernel``), else ``None``."""
    if not is_keras_variable(obj):
        return None
    path = getattr(obj, "path", None)
    return path if isinstance(path, str) and path else None


def ref_of(obj: Any) -> int | None:
    """The trace id of a tensor or variable (a variable's id is its handle's), else ``None``."""
    ref: int
    if isinstance(obj, EagerTensor):
        ref = obj._id
        return ref
    var = as_tf_variable(obj)
    handle = var.handle if var is not None else None
    if isinstance(handle, EagerTensor):
        ref = handle._id
        return ref
    return None


_NO_VALUE = frozenset({tf.resource.as_datatype_enum, tf.variant.as_datatype_enum})
NO_VALUE = _NO_VALUE
"""The dtype numbers of tensors without a value to read (resources, variants)."""


def ids_of(tensors: list[Any]) -> list[int]:
    """``ref_of`` of each of an op's inputs or outputs (``0`` for anything not a tensor)."""
    try:
        return [t._id for t in tensors]  # eager op inputs and outputs are EagerTensors
    except AttributeError:
        return [ref_of(t) or 0 for t in tensors]


def value_of(tensor: Any) -> Any:
    """The NumPy value of an eager tensor without counting as the scenario reading it."""
    if tensor._datatype_enum() in _NO_VALUE:
        return None
    return tensor._numpy()


def value_and_dtype(tensor: Any) -> tuple[Any, str]:
    """``value_of`` an eager tensor and its dtype's name, reading its dtype once."""
    enum = tensor._datatype_enum()
    name = _DTYPE_NAMES.get(enum) or _DTYPE_NAMES.setdefault(enum, tf.dtypes.as_dtype(enum).name)
    return (None if enum in _NO_VALUE else tensor._numpy()), name


_DTYPE_NAMES: dict[int, str] = {}


@functools.lru_cache(maxsize=256)
def _differentiable_enum(enum: int) -> bool:
    return is_differentiable_dtype(tf.dtypes.as_dtype(enum))


def is_differentiable(tensor: Any) -> bool:
    """``is_differentiable_dtype`` of an eager tensor's dtype, cached by its dtype number."""
    return _differentiable_enum(tensor._datatype_enum())


def tape_flags(gt: Any) -> tuple[bool, bool]:
    """``(persistent, watch_accessed_variables)`` of a tape."""
    return bool(gt._persistent), bool(gt._watch_accessed_variables)


def tape_is_recording(gt: Any) -> bool:
    return bool(gt._recording)


def watched_variable_refs(gt: Any) -> list[int]:
    return [r for r in (ref_of(v) for v in gt.watched_variables()) if r is not None]


def is_tensor(obj: Any) -> bool:
    return bool(tf.is_tensor(obj))


def components(composite: Any) -> list[Any]:
    """The component tensors of a composite tensor (a ``tf.SparseTensor``'s indices …)."""
    return list(tf.nest.flatten(composite, expand_composites=True))


def readable_attrs(attrs: Any) -> dict[str, str]:
    """The op attributes a reader cares about, as text (``T: float32``): one dict for the same
    attributes, shared by the ops that have them (read only)."""
    try:
        return _readable_attrs_cached(attrs if type(attrs) is tuple else tuple(attrs))
    except TypeError:  # an unhashable attribute value (a list): work it out each time
        return _readable_attrs(attrs)


@functools.lru_cache(maxsize=4096)
def _readable_attrs_cached(attrs: tuple[Any, ...]) -> dict[str, str]:
    return _readable_attrs(attrs)


def _readable_attrs(attrs: Any) -> dict[str, str]:
    wanted = ("T", "DstT", "SrcT", "dtype", "transpose_a", "transpose_b", "axis", "keep_dims")
    pairs = dict(zip(attrs[::2], attrs[1::2], strict=False))
    readable = {}
    for key in wanted:
        if key in pairs:
            value = pairs[key]
            if key in ("T", "DstT", "SrcT", "dtype") and isinstance(value, (int, tf.DType)):
                value = tf.dtypes.as_dtype(value).name
            readable[key] = str(value)
    return readable
