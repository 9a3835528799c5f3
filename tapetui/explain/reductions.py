"""Local partials of the reduction ops (``Sum``, ``Mean``, ``Prod``) on recorded values.

Their backward pass is the reverse of broadcasting: the upstream gradient, shaped like the
reduced output, is reshaped with the reduced axes kept (``keepdims``) and repeated along them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from tapetui.explain.broadcast import Array, broadcast_to, number, to_array, to_value

Value = Any


@dataclass(frozen=True)
class ReductionPartial:
    """The rule of a reduction, its local partial and the gradient its input receives."""

    rule: str
    local: Value = None
    product: Value = None


def _axes(value: Value, rank: int) -> tuple[int, ...] | None:
    """The reduced axes, non-negative and sorted; ``None`` when they were not recorded."""
    if value is None:
        return None
    raw = value if isinstance(value, list) else [value]
    try:
        axes = {int(number(a)) % rank if rank else 0 for a in raw}
    except (TypeError, ValueError):
        return None
    return tuple(sorted(axes))


def _kept_shape(shape: tuple[int, ...], axes: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(1 if i in axes else d for i, d in enumerate(shape))


def _spread(upstream: Value, shape: tuple[int, ...], axes: tuple[int, ...]) -> Array:
    """The upstream gradient repeated along the reduced axes, to the input's shape."""
    flat = to_array(upstream).flat
    kept = _kept_shape(shape, axes)
    if len(flat) != math.prod(kept):
        raise ValueError("upstream does not fit the reduced shape")
    return broadcast_to(Array(flat, kept), shape)


def _others_product(x: Array, axes: tuple[int, ...]) -> list[float]:
    """For each element, the product of the other elements it was multiplied with."""
    groups: dict[tuple[int, ...], list[int]] = {}
    for i in range(x.size):
        position, index = [], i
        for axis in range(len(x.shape) - 1, -1, -1):
            index, at = divmod(index, x.shape[axis])
            position.append(0 if axis in axes else at)
        groups.setdefault(tuple(position), []).append(i)
    local = [0.0] * x.size
    for members in groups.values():
        for i in members:
            local[i] = math.prod(x.flat[j] for j in members if j != i)
    return local


def _single(value: Value) -> bool:
    try:
        return value is not None and to_array(value).size == 1
    except (TypeError, ValueError):
        return False


def _rule(op_type: str, n: int) -> str:
    if op_type == "Sum":
        return "∂(Σa)/∂aᵢ = 1"
    if op_type == "Mean":
        return f"∂mean(a)/∂aᵢ = 1/n (n = {n})" if n else "∂mean(a)/∂aᵢ = 1/n"
    return "∂(Πa)/∂aᵢ = product of the other aⱼ"


def reduction_partial(
    op_type: str, inputs: list[Value], upstream: Value, attrs: dict[str, str]
) -> ReductionPartial | None:
    """Input 0 of a ``Sum``/``Mean``/``Prod``; ``None`` for another op."""
    if op_type not in ("Sum", "Mean", "Prod"):
        return None
    x_value = inputs[0] if inputs else None
    try:
        x = to_array(x_value) if x_value is not None else None
    except (TypeError, ValueError):
        x = None
    if x is None:
        return ReductionPartial(_rule(op_type, 0))
    axes = _axes(inputs[1] if len(inputs) > 1 else None, len(x.shape))
    if axes is None and _single(upstream):  # one upstream number: every axis was reduced
        axes = tuple(range(len(x.shape)))
    if axes is None:
        return ReductionPartial(_rule(op_type, 0))
    n = math.prod(x.shape[a] for a in axes)
    rule = _rule(op_type, n)
    if upstream is None or (op_type == "Mean" and not n):
        return ReductionPartial(rule)
    try:
        spread = _spread(upstream, x.shape, axes)
    except (TypeError, ValueError):
        return ReductionPartial(rule)
    if op_type == "Prod":
        local_flat = _others_product(x, axes)
        local: Value = to_value(Array(local_flat, x.shape))
    else:
        scale = 1.0 if op_type == "Sum" else 1 / n
        local_flat, local = [scale] * x.size, scale
    product = [u * d for u, d in zip(spread.flat, local_flat, strict=True)]
    return ReductionPartial(rule, local, to_value(Array(product, x.shape)))
