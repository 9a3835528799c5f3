"""Broadcasting on recorded values, and the reduction that undoes it in the backward pass.

A recorded value is a number or nested lists. TensorFlow's gradient of a broadcasting op sums the
elementwise product over the axes where an input was broadcast, then reshapes it to the input's
shape (``BroadcastGradientArgs`` followed by ``reduce_sum`` and ``reshape``); the same is done
here in plain Python, so a rule's product can be compared with TensorFlow's gradient.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

Value = Any
Shape = tuple[int, ...]


def number(x: Value) -> float:
    """A stored number as a float (``"nan"``, ``"inf"``, ``"-inf"`` are how a trace stores those)."""
    if type(x) is float:  # the common case, first
        return x
    if isinstance(x, bool):
        return float(x)
    if isinstance(x, str | int | float):
        return float(x)
    raise TypeError(f"not a number: {type(x).__name__}")


@dataclass(frozen=True)
class Array:
    """A value as a flat list of floats in row-major order, with its shape."""

    flat: list[float]
    shape: Shape

    @property
    def size(self) -> int:
        return len(self.flat)


def shape_of(value: Value) -> Shape:
    """The shape of nested lists; ``ValueError`` when they are ragged."""
    if not isinstance(value, list):
        return ()
    if not value:
        return (0,)
    inner = [shape_of(v) for v in value]
    if any(s != inner[0] for s in inner):
        raise ValueError("ragged value")
    return (len(value), *inner[0])


def to_array(value: Value) -> Array:
    if not isinstance(value, list):  # a single number, the common case
        return Array([number(value)], ())
    shape = shape_of(value)
    flat: list[float] = []
    _flatten_into(value, flat)
    return Array(flat, shape)


def _flatten_into(value: Value, flat: list[float]) -> None:
    if isinstance(value, list):
        for item in value:
            _flatten_into(item, flat)
    else:
        flat.append(number(value))


def to_value(array: Array) -> Value:
    """Back to a number or nested lists."""
    if not array.shape:
        return array.flat[0]
    return _nest(array.flat, array.shape)


def _nest(flat: list[float], shape: Shape) -> Value:
    if len(shape) == 1:
        return list(flat)
    step = len(flat) // shape[0] if shape[0] else 0
    return [_nest(flat[i * step : (i + 1) * step], shape[1:]) for i in range(shape[0])]


def broadcast_shape(*shapes: Shape) -> Shape:
    """NumPy's (and TensorFlow's) broadcast of ``shapes``; ``ValueError`` when they do not fit."""
    rank = max((len(s) for s in shapes), default=0)
    out: list[int] = []
    for axis in range(rank):
        dims = {s[axis - rank + len(s)] for s in shapes if axis - rank + len(s) >= 0}
        dims.discard(1)
        if len(dims) > 1:
            raise ValueError(f"shapes {shapes} do not broadcast")
        out.append(dims.pop() if dims else 1)
    return tuple(out)


def _strides(shape: Shape) -> list[int]:
    strides, step = [0] * len(shape), 1
    for axis in range(len(shape) - 1, -1, -1):
        strides[axis] = step
        step *= shape[axis]
    return strides


def broadcast_to(array: Array, shape: Shape) -> Array:
    """``array`` repeated along the axes where it is broadcast to ``shape``."""
    if array.shape == shape:
        return array
    if broadcast_shape(array.shape, shape) != shape:
        raise ValueError(f"{array.shape} does not broadcast to {shape}")
    pad = len(shape) - len(array.shape)
    own = _strides(array.shape)
    strides = [0] * pad + [0 if d == 1 else s for d, s in zip(array.shape, own, strict=True)]
    flat = [array.flat[_offset(i, shape, strides)] for i in range(math.prod(shape))]
    return Array(flat, shape)


def _offset(index: int, shape: Shape, strides: Sequence[int]) -> int:
    offset = 0
    for axis in range(len(shape) - 1, -1, -1):
        index, position = divmod(index, shape[axis])
        offset += position * strides[axis]
    return offset


def elementwise(f: Callable[..., float], *values: Value) -> Value:
    """``f`` applied elementwise with broadcasting; ``None`` when any value is unknown."""
    if any(v is None for v in values):
        return None
    if not any(isinstance(v, list) for v in values):  # numbers: what the rest does, in short
        return _real(_ieee(f, tuple(number(v) for v in values)))
    arrays = [to_array(v) for v in values]
    shape = broadcast_shape(*(a.shape for a in arrays))
    spread = [broadcast_to(a, shape) for a in arrays]
    flat = [_real(_ieee(f, xs)) for xs in zip(*(a.flat for a in spread), strict=True)]
    return to_value(Array(flat, shape))


def _ieee(f: Callable[..., float], xs: tuple[float, ...]) -> float | complex:
    """``f(*xs)``, where a division by zero gives inf or NaN as in TensorFlow's float kernels
    (Python raises instead)."""
    try:
        return f(*xs)
    except (ZeroDivisionError, OverflowError):
        import numpy as np  # only here: NumPy's floats divide by zero as IEEE 754 says

        with np.errstate(all="ignore"):
            return float(f(*(np.float64(x) for x in xs)))


def _real(x: float | complex) -> float:
    """Python's ``(-1.0) ** 0.5`` is complex where TensorFlow's real ``pow`` gives NaN."""
    return math.nan if isinstance(x, complex) else x


def reduction_axes(shape: Shape, broadcast: Shape) -> tuple[int, ...]:
    """The axes of ``broadcast`` along which an input of ``shape`` was repeated.

    As ``BroadcastGradientArgs``: the leading axes the input does not have, and the axes where it
    has size 1 and the broadcast shape does not.
    """
    pad = len(broadcast) - len(shape)
    axes = list(range(pad))
    axes += [pad + i for i, d in enumerate(shape) if d == 1 and broadcast[pad + i] != 1]
    return tuple(axes)


def sum_axes(array: Array, axes: Sequence[int]) -> Array:
    """``reduce_sum`` over ``axes`` (kept as size-1 axes)."""
    if not axes:
        return array
    kept = tuple(1 if i in axes else d for i, d in enumerate(array.shape))
    strides = _strides(kept)
    dropped = [0 if i in axes else s for i, s in enumerate(strides)]
    flat = [0.0] * math.prod(kept)
    for i, x in enumerate(array.flat):
        flat[_offset(i, array.shape, dropped)] += x
    return Array(flat, kept)


@dataclass(frozen=True)
class Reduced:
    """A gradient summed down to an input's shape, with the axes it was summed over."""

    value: Value
    axes: tuple[int, ...]


def sum_to_shape(value: Value, shape: Shape) -> Reduced:
    """``value`` summed over the axes where an input of ``shape`` was broadcast, then reshaped to
    ``shape`` — what TensorFlow's gradient of a broadcasting op does."""
    array = to_array(value)
    axes = reduction_axes(shape, array.shape)
    if broadcast_shape(shape, array.shape) != array.shape:
        raise ValueError(f"{shape} does not broadcast to {array.shape}")
    summed = sum_axes(array, axes)
    return Reduced(to_value(Array(summed.flat, shape)), axes)
