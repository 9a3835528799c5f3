"""Local partial derivatives of common ops: the rule in words and its value from recorded values.

Pure Python on the values a trace stores (numbers or nested lists); a value that was too large to
store, or an op without a rule here, gives a rule text without a value.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

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


def _num(x: Value) -> float:
    if isinstance(x, str):
        return float(x)  # "nan", "inf", "-inf" as the trace stores them
    return float(x)


def _map(f: Callable[..., float], *xs: Value) -> Value:
    """Apply ``f`` elementwise; scalars broadcast against lists."""
    if any(x is None for x in xs):
        return None
    lists = [x for x in xs if isinstance(x, list)]
    if not lists:
        return f(*(_num(x) for x in xs))
    n = len(lists[0])
    if any(len(x) != n for x in lists):
        raise ValueError("shapes differ")
    return [_map(f, *(x[i] if isinstance(x, list) else x for x in xs)) for i in range(n)]


def _total(x: Value) -> float:
    return sum(_total(v) for v in x) if isinstance(x, list) else _num(x)


def _size(x: Value) -> int:
    return sum(_size(v) for v in x) if isinstance(x, list) else 1


def _depth(x: Value) -> int:
    return 1 + _depth(x[0]) if isinstance(x, list) and x else (1 if isinstance(x, list) else 0)


def reduce_like(x: Value, like: Value) -> Value:
    """Sum ``x`` down to the shape of ``like`` (undoing scalar / leading-axis broadcasting)."""
    if x is None or like is None:
        return None
    if not isinstance(like, list):
        return _total(x)
    if _depth(x) > _depth(like):
        return reduce_like(_map(lambda *v: sum(v), *x), like)
    return x


def _fill(like: Value, value: float) -> Value:
    return [_fill(v, value) for v in like] if isinstance(like, list) else value


def _transpose(m: list[list[Any]]) -> list[list[Any]]:
    return [list(row) for row in zip(*m, strict=True)]


def _matmul(a: Value, b: Value) -> Value:
    if _depth(a) != 2 or _depth(b) != 2:
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
}


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
    if op_type in _ELEMENTWISE:
        rules = _ELEMENTWISE[op_type]
        rule, f = rules[min(index, len(rules) - 1)]
        return _elementwise(rule, f, index, inputs, outputs, upstream)
    if op_type in ("Sum", "Mean") and index == 0:
        return _reduction(op_type, inputs, outputs, upstream)
    if op_type in ("MatMul", "BatchMatMulV2") and index in (0, 1):
        return _matmul_partial(index, inputs, upstream, attrs or {})
    return None


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
        product = reduce_like(product, target) if target is not None else product
    except (ValueError, TypeError, IndexError, ZeroDivisionError, OverflowError):
        return LocalPartial(rule)
    return LocalPartial(rule, local, product)


def _reduction(
    op_type: str, inputs: list[Value], outputs: list[Value], upstream: Value
) -> LocalPartial:
    x = inputs[0] if inputs else None
    if op_type == "Sum":
        rule, scale = "∂(Σa)/∂aᵢ = 1", 1.0
    else:
        n = _size(x) // max(1, _size(outputs[0])) if x is not None and outputs else 0
        rule, scale = f"∂mean(a)/∂aᵢ = 1/n (n = {n})", 1 / n if n else 0.0
    if (
        x is None
        or isinstance(upstream, list)
        or upstream is None
        or (op_type == "Mean" and not scale)
    ):
        return LocalPartial(rule)
    return LocalPartial(rule, scale, _fill(x, _num(upstream) * scale))


def _matmul_partial(
    index: int, inputs: list[Value], upstream: Value, attrs: dict[str, str]
) -> LocalPartial:
    rule = "∂(a@b)/∂a = upstream @ bᵀ" if index == 0 else "∂(a@b)/∂b = aᵀ @ upstream"
    transposed = any(
        str(attrs.get(k, "")).lower() == "true" for k in ("transpose_a", "transpose_b")
    )
    if transposed or len(inputs) < 2 or upstream is None or None in inputs[:2]:
        return LocalPartial(rule)
    try:
        if index == 0:
            product = _matmul(upstream, _transpose(inputs[1]))
        else:
            product = _matmul(_transpose(inputs[0]), upstream)
    except (TypeError, ValueError):
        return LocalPartial(rule)
    return LocalPartial(rule, None, product)


def agrees(computed: Value, recorded: Value, tolerance: float = 1e-4) -> bool | None:
    """Whether ``computed`` equals the ``recorded`` gradient; ``None`` when either is unknown."""
    if computed is None or recorded is None:
        return None
    try:
        same = _map(
            lambda a, b: float(math.isclose(a, b, rel_tol=tolerance, abs_tol=tolerance)),
            computed,
            recorded,
        )
    except (ValueError, TypeError):
        return False
    return _total(same) == _size(same)
