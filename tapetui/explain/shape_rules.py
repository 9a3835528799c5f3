"""Local partials of the ops that only move values around: ``Reshape``, ``ExpandDims``,
``Squeeze`` (the upstream gradient reshaped back) and ``Transpose`` (transposed back)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from tapetui.explain.broadcast import Array, number, shape_of, to_array, to_value

Value = Any

RESHAPES = ("Reshape", "ExpandDims", "Squeeze")


@dataclass(frozen=True)
class ShapePartial:
    """The rule of a shape op and the gradient its (first) input receives."""

    rule: str
    product: Value = None


def _transposed(array: Array, perm: list[int]) -> Array:
    shape = tuple(array.shape[p] for p in perm)
    strides = [math.prod(array.shape[i + 1 :]) for i in range(len(array.shape))]
    flat: list[float] = []
    for index in range(array.size):
        offset, rest = 0, index
        for axis in range(len(shape) - 1, -1, -1):
            rest, position = divmod(rest, shape[axis])
            offset += position * strides[perm[axis]]
        flat.append(array.flat[offset])
    return Array(flat, shape)


def shape_partial(op_type: str, inputs: list[Value], upstream: Value) -> ShapePartial | None:
    """Input 0 of a shape op; ``None`` for another op."""
    if op_type in RESHAPES:
        rule = "∂reshape(a)/∂a = 1: the upstream, reshaped to a's shape"
        if not inputs or inputs[0] is None or upstream is None:
            return ShapePartial(rule)
        try:
            shape, flat = shape_of(inputs[0]), to_array(upstream).flat
        except (TypeError, ValueError):
            return ShapePartial(rule)
        if len(flat) != math.prod(shape):
            return ShapePartial(rule)
        return ShapePartial(rule, to_value(Array(flat, shape)))
    if op_type == "Transpose":
        return _transpose_partial(inputs, upstream)
    return None


def _transpose_partial(inputs: list[Value], upstream: Value) -> ShapePartial:
    rule = "∂transpose(a)/∂a = 1: the upstream, transposed back"
    if len(inputs) < 2 or inputs[1] is None or upstream is None:
        return ShapePartial(rule)
    try:
        raw = inputs[1] if isinstance(inputs[1], list) else [inputs[1]]
        perm = [int(number(p)) for p in raw]
        grad = to_array(upstream)
        if sorted(perm) != list(range(len(grad.shape))):
            return ShapePartial(rule)
        inverse = [perm.index(axis) for axis in range(len(perm))]
        return ShapePartial(rule, to_value(_transposed(grad, inverse)))
    except (TypeError, ValueError):
        return ShapePartial(rule)
