"""Local partial derivatives of common ops: the rule in words and its value from recorded values.

Pure Python on the values a trace stores (numbers or nested lists); a value that was too large to
store, or an op without a rule here, gives a rule text without a value.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tapetui.explain.broadcast import elementwise, number, shape_of, sum_to_shape, to_array
from tapetui.explain.reductions import reduction_partial
from tapetui.explain.shape_rules import RESHAPES, shape_partial

Value = Any
"""A recorded value: a number, a nested list of numbers, or ``None`` when not stored."""


@dataclass(frozen=True)
class LocalPartial:
    """How one input of an op moves its output, and what reaches that input in the backward pass."""

    rule: str
    """E.g. ``∂(a·b)/∂a = b``; ``a``, ``b`` name the op's inputs in order, ``y`` its output."""
    local: Value = None
    """The local partial's value at the recorded inputs, for elementwise rules."""
    product: Value = None
    """upstream × local (reduced to the input's shape), i.e. the gradient this input receives."""
    unreduced: Value = None
    """upstream × local elementwise, before the sum over ``axes`` (set only when it was summed)."""
    axes: tuple[int, ...] = ()
    """The axes of the op's output summed over because this input was broadcast along them."""


def _num(x: Value) -> float:
    return number(x)


def _map(f: Callable[..., float], *xs: Value) -> Value:
    """Apply ``f`` elementwise, broadcasting as NumPy and TensorFlow do."""
    return elementwise(f, *xs)


def reduce_like(x: Value, like: Value) -> Value:
    """Sum ``x`` down to the shape of ``like`` (undoing broadcasting, as TensorFlow's gradient)."""
    if x is None or like is None:
        return None
    return sum_to_shape(x, shape_of(like)).value


def _transpose(m: list[list[Any]]) -> list[list[Any]]:
    return [list(row) for row in zip(*m, strict=True)]


def _matmul(a: Value, b: Value) -> Value:
    if len(shape_of(a)) != 2 or len(shape_of(b)) != 2:
        return None
    cols = _transpose(b)
    return [
        [sum(_num(x) * _num(y) for x, y in zip(row, col, strict=True)) for col in cols] for row in a
    ]


Elementwise = Callable[[list[Value], list[Value]], Value]
"""Given the op's input and output values, the local partial of one input."""

_ELEMENTWISE: dict[str, list[tuple[str, Elementwise]]] = {
    "Mul": [("∂(a·b)/∂a = b", lambda i, o: i[1]), ("∂(a·b)/∂b = a", lambda i, o: i[0])],
    "AddV2": [("∂(a+b)/∂a = 1", lambda i, o: 1.0), ("∂(a+b)/∂b = 1", lambda i, o: 1.0)],
    "Add": [("∂(a+b)/∂a = 1", lambda i, o: 1.0), ("∂(a+b)/∂b = 1", lambda i, o: 1.0)],
    "Sub": [("∂(a−b)/∂a = 1", lambda i, o: 1.0), ("∂(a−b)/∂b = −1", lambda i, o: -1.0)],
    "RealDiv": [
        ("∂(a/b)/∂a = 1/b", lambda i, o: _map(lambda b: 1 / b, i[1])),
        ("∂(a/b)/∂b = −a/b²", lambda i, o: _map(lambda a, b: -a / (b * b), i[0], i[1])),
    ],
    "Neg": [("∂(−a)/∂a = −1", lambda i, o: -1.0)],
    "Square": [("∂(a²)/∂a = 2·a", lambda i, o: _map(lambda a: 2 * a, i[0]))],
    "Sqrt": [("∂√a/∂a = 1/(2·√a)", lambda i, o: _map(lambda y: 0.5 / y, o[0]))],
    "Pow": [
        ("∂(aᵇ)/∂a = b·aᵇ⁻¹", lambda i, o: _map(lambda a, b: b * a ** (b - 1), i[0], i[1])),
        ("∂(aᵇ)/∂b = aᵇ·ln a", lambda i, o: _map(_pow_exponent, i[0], o[0])),
    ],
    "Sin": [("∂sin a/∂a = cos a", lambda i, o: _map(math.cos, i[0]))],
    "Cos": [("∂cos a/∂a = −sin a", lambda i, o: _map(lambda a: -math.sin(a), i[0]))],
    "Exp": [("∂eᵃ/∂a = eᵃ", lambda i, o: o[0])],
    "Log": [("∂ln a/∂a = 1/a", lambda i, o: _map(lambda a: 1 / a, i[0]))],
    "Tanh": [("∂tanh a/∂a = 1 − tanh²a", lambda i, o: _map(lambda y: 1 - y * y, o[0]))],
    "Sigmoid": [("∂σ(a)/∂a = σ(a)·(1 − σ(a))", lambda i, o: _map(lambda y: y * (1 - y), o[0]))],
    "Relu": [("∂relu(a)/∂a = 1 if a > 0 else 0", lambda i, o: _map(_step, i[0]))],
    "ReadVariableOp": [("∂read(v)/∂v = 1", lambda i, o: 1.0)],
    "Identity": [("∂a/∂a = 1", lambda i, o: 1.0)],
    "Cast": [("∂cast(a)/∂a = 1", lambda i, o: 1.0)],
    "AddN": [("∂(a+b+…)/∂a = 1", lambda i, o: 1.0)],
    "IdentityN": [("∂a/∂a = 1", lambda i, o: 1.0)],
    "Maximum": [
        ("∂max(a,b)/∂a = 1 if a ≥ b else 0", lambda i, o: _map(_ge, i[0], i[1])),
        ("∂max(a,b)/∂b = 1 if a < b else 0", lambda i, o: _map(_lt, i[0], i[1])),
    ],
    "Minimum": [
        ("∂min(a,b)/∂a = 1 if a ≤ b else 0", lambda i, o: _map(_le, i[0], i[1])),
        ("∂min(a,b)/∂b = 1 if a > b else 0", lambda i, o: _map(_gt, i[0], i[1])),
    ],
    "SquaredDifference": [
        ("∂(a−b)²/∂a = 2·(a−b)", lambda i, o: _map(lambda a, b: 2 * (a - b), i[0], i[1])),
        ("∂(a−b)²/∂b = −2·(a−b)", lambda i, o: _map(lambda a, b: -2 * (a - b), i[0], i[1])),
    ],
    "DivNoNan": [
        ("∂(a/b)/∂a = 1/b (0 where b = 0)", lambda i, o: _map(_inverse_or_zero, i[1])),
        ("∂(a/b)/∂b = −a/b² (0 where b = 0)", lambda i, o: _map(_div_no_nan_b, i[0], i[1])),
    ],
    "BiasAdd": [("∂(a+bias)/∂a = 1", lambda i, o: 1.0), ("∂(a+bias)/∂bias = 1", lambda i, o: 1.0)],
    "BiasAddV1": [
        ("∂(a+bias)/∂a = 1", lambda i, o: 1.0),
        ("∂(a+bias)/∂bias = 1", lambda i, o: 1.0),
    ],
}


def _ge(a: float, b: float) -> float:
    return 1.0 if a >= b else 0.0


def _lt(a: float, b: float) -> float:
    return 1.0 if a < b else 0.0


def _le(a: float, b: float) -> float:
    return 1.0 if a <= b else 0.0


def _gt(a: float, b: float) -> float:
    return 1.0 if a > b else 0.0


def _inverse_or_zero(b: float) -> float:
    return 1 / b if b != 0 else 0.0


def _div_no_nan_b(a: float, b: float) -> float:
    return -a / (b * b) if b != 0 else 0.0


def _pow_exponent(a: float, y: float) -> float:
    return y * math.log(a) if a > 0 else 0.0


def _step(a: float) -> float:
    return 1.0 if a > 0 else 0.0


def local_partial(
    op_type: str,
    index: int,
    inputs: list[Value],
    outputs: list[Value],
    upstream: Value,
    attrs: dict[str, str] | None = None,
) -> LocalPartial | None:
    """The local partial of input ``index`` of an ``op_type`` op, or ``None`` without a rule.

    ``inputs``/``outputs`` are the forward values, ``upstream`` the gradient arriving at the
    (first) output; any of them may be ``None`` when the trace did not keep the value.
    """
    try:
        return _local_partial(op_type, index, inputs, outputs, upstream, attrs or {})
    except (ArithmeticError, IndexError, KeyError, TypeError, ValueError):
        return None  # values that do not fit the op (a damaged trace): no rule can be shown


def _local_partial(
    op_type: str,
    index: int,
    inputs: list[Value],
    outputs: list[Value],
    upstream: Value,
    attrs: dict[str, str],
) -> LocalPartial | None:
    if op_type in _ELEMENTWISE:
        rules = _ELEMENTWISE[op_type]
        rule, f = rules[min(index, len(rules) - 1)]
        if op_type.startswith("BiasAdd") and attrs.get("data_format", "NHWC") != "NHWC":
            return LocalPartial(rule)  # the channel axis is not the last: not plain broadcasting
        return _elementwise(rule, f, index, inputs, outputs, upstream)
    if op_type in ("Sum", "Mean", "Prod") and index == 0:
        found = reduction_partial(op_type, inputs, upstream, attrs)
        return LocalPartial(found.rule, found.local, found.product) if found else None
    if op_type in (*RESHAPES, "Transpose") and index == 0:
        moved = shape_partial(op_type, inputs, upstream)
        return LocalPartial(moved.rule, None, moved.product) if moved else None
    if op_type in ("MatMul", "BatchMatMulV2") and index in (0, 1):
        return _matmul_partial(index, inputs, upstream, attrs)
    return None


_FAILED = (ValueError, TypeError, IndexError, ZeroDivisionError, OverflowError)
"""What computing a rule on a value it does not fit raises (ragged, strings, division by 0)."""


def _elementwise(
    rule: str,
    f: Elementwise,
    index: int,
    inputs: list[Value],
    outputs: list[Value],
    upstream: Value,
) -> LocalPartial:
    try:
        local = f(inputs, outputs)
        product = _map(lambda u, d: u * d, upstream, local)
        target = inputs[index] if index < len(inputs) else None
        if target is None or product is None:
            return LocalPartial(rule, local, product)
        reduced = sum_to_shape(product, shape_of(target))
    except _FAILED:
        return LocalPartial(rule)
    if not reduced.axes:
        return LocalPartial(rule, local, reduced.value)
    return LocalPartial(rule, local, reduced.value, product, reduced.axes)


def _matmul_partial(
    index: int, inputs: list[Value], upstream: Value, attrs: dict[str, str]
) -> LocalPartial:
    rule = "∂(a@b)/∂a = upstream @ bᵀ" if index == 0 else "∂(a@b)/∂b = aᵀ @ upstream"
    transposed = any(
        str(attrs.get(k, "")).lower() == "true"
        for k in ("transpose_a", "transpose_b", "adj_x", "adj_y")
    )
    if transposed or len(inputs) < 2 or upstream is None or None in inputs[:2]:
        return LocalPartial(rule)
    try:
        if index == 0:
            product = _matmul(upstream, _transpose(inputs[1]))
        else:
            product = _matmul(_transpose(inputs[0]), upstream)
    except _FAILED:
        return LocalPartial(rule)
    return LocalPartial(rule, None, product)


FLOAT32_MAX = 3.4028234663852886e38


def _same(a: float, b: float, tolerance: float, scale: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if math.isinf(b) and not math.isinf(a):  # TensorFlow's float32 overflowed where ours did not
        return abs(a) > FLOAT32_MAX and (a > 0) == (b > 0)
    if math.isinf(a) or math.isinf(b):
        return a == b
    return math.isclose(a, b, rel_tol=tolerance, abs_tol=tolerance * max(1.0, abs(scale)))


def agrees(
    computed: Value, recorded: Value, tolerance: float = 1e-4, scale: Value = None
) -> bool | None:
    """Whether ``computed`` equals the ``recorded`` gradient; ``None`` when either is unknown.

    The two must have the same shape, or one be a single number and the other hold one.
    ``scale``, shaped like ``computed``, is the sum of the magnitudes that were added up into
    each element: a sum that nearly cancels is compared to within the rounding of its terms.
    """
    if computed is None or recorded is None:
        return None
    try:
        a, b = to_array(computed), to_array(recorded)
        scales = to_array(scale).flat if scale is not None else [1.0] * a.size
    except _FAILED:
        return False
    if a.size != b.size or (a.shape != b.shape and a.size != 1) or len(scales) != a.size:
        return False
    pairs = zip(a.flat, b.flat, scales, strict=True)
    return all(_same(x, y, tolerance, s) for x, y, s in pairs)
