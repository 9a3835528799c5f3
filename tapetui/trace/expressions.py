"""How an op reads as an expression of its inputs: ``x*x``, ``z1 + z2``, ``mean(square(d))``.

Each op type maps to a :class:`Form` (an infix operator, a prefix minus, or a call); the forms
put parentheses by precedence, as Python does. A :class:`Node` is one tensor's form over its
inputs. No trace here: :mod:`tapetui.trace.labels` decides what a tensor's node is and where its
text is cut.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

ATOM = 100
"""The precedence of a name, a number, a call, an indexed or transposed operand."""
POWER, UNARY, PRODUCT, SPACED_PRODUCT, SUM, COMPARISON = 90, 80, 70, 69, 60, 40
"""As in Python; ``/`` and ``@`` (spaced) bind as ``*`` (tight) does, but a tight ``*`` takes
one as its operand only in parentheses: ``(a / b)*c`` reads as it parses, ``a / b*c`` would
not."""

Part = tuple[str, int]
"""A rendered expression and its precedence."""


@dataclass(frozen=True, slots=True)
class Form:  # made once per op type (``call`` and the tables below), so frozen costs nothing
    """How one op writes itself, given its operands' texts."""

    kind: str
    """``infix``, ``prefix`` or ``call``."""
    symbol: str
    """The operator (``*``, `` + ``) or the call's name (``mean``)."""
    precedence: int = ATOM
    first: int = 0
    """The precedence the first operand needs to go without parentheses."""
    rest: int = 0
    """The precedence the other operands need."""
    marks: tuple[str, ...] = ()
    """A suffix for each operand (``ᵀ`` for a transposed matrix)."""

    def compose(self, operands: list[Part]) -> Part:
        if self.kind == "call":
            return f"{self.symbol}({', '.join(text for text, _ in operands)})", ATOM
        if self.kind == "prefix":
            return self.symbol + wrap(operands[0], self.first), self.precedence
        texts = [wrap(part, self.needs(i)) + self.mark(i) for i, part in enumerate(operands)]
        return self.symbol.join(texts), self.precedence

    def mark(self, index: int) -> str:
        return self.marks[index] if index < len(self.marks) else ""

    def overhead(self, count: int) -> int:
        """The characters the form adds around ``count`` operands (parentheses not counted)."""
        if self.kind == "call":
            return len(self.symbol) + 2 + 2 * max(count - 1, 0)
        if self.kind == "prefix":
            return len(self.symbol)
        return len(self.symbol) * max(count - 1, 0) + sum(len(m) for m in self.marks)

    def needs(self, index: int) -> int:
        """The precedence operand ``index`` must have to go without parentheses."""
        if self.mark(index):
            return ATOM
        return self.first if index == 0 else self.rest


def wrap(part: Part, needed: int) -> str:
    text, precedence = part
    return text if precedence >= needed else f"({text})"


def _infix(symbol: str, precedence: int, first: int | None = None) -> Form:
    """A left-associative operator: ``a - b - c`` is ``(a - b) - c``; ``a - (b - c)`` keeps its
    parentheses."""
    return Form("infix", symbol, precedence, precedence if first is None else first, PRODUCT + 1)


_SUMS = (SUM, SUM + 1)
_INFIX: dict[str, Form] = {
    "Mul": _infix("*", PRODUCT),
    "RealDiv": _infix(" / ", SPACED_PRODUCT),
    "Div": _infix(" / ", SPACED_PRODUCT),
    "FloorDiv": _infix(" // ", SPACED_PRODUCT),
    "FloorMod": _infix(" % ", SPACED_PRODUCT),
    **{
        op: Form("infix", " + ", SUM, *_SUMS)
        for op in ("AddV2", "Add", "AddN", "BiasAdd", "BiasAddV1")
    },
    "Sub": Form("infix", " - ", SUM, *_SUMS),
    **{
        op: Form("infix", symbol, COMPARISON, COMPARISON + 1, COMPARISON + 1)
        for op, symbol in (
            ("Greater", " > "),
            ("GreaterEqual", " >= "),
            ("Less", " < "),
            ("LessEqual", " <= "),
            ("Equal", " == "),
            ("NotEqual", " != "),
        )
    },
}
_CALLS = {
    "Sum": "sum",
    "Mean": "mean",
    "Max": "max",
    "Min": "min",
    "Prod": "prod",
    "All": "all",
    "Any": "any",
    "Maximum": "maximum",
    "Minimum": "minimum",
    "SelectV2": "where",
    "Select": "where",
    "ArgMax": "argmax",
    "ArgMin": "argmin",
    "Pack": "stack",
    "Unpack": "unstack",
    "ConcatV2": "concat",
    "GatherV2": "gather",
    "StridedSlice": "slice",
    "MatrixInverse": "inv",
}
TRANSPARENT = frozenset({"Identity", "IdentityN", "Snapshot", "ReadVariableOp"})
"""Ops whose output is their input under another id: named as that input."""


def form_of(op_type: str, attrs: dict[str, str], operands: int) -> Form:
    """The form an ``op_type`` op with ``operands`` shown inputs takes."""
    if op_type in _INFIX and (operands == 2 or (op_type == "AddN" and operands > 1)):
        return _INFIX[op_type]
    if op_type in _TRANSPOSES and operands == 2:
        marks = tuple("ᵀ" if _true(attrs, k) else "" for k in _TRANSPOSES[op_type])
        form = _infix(" @ ", SPACED_PRODUCT, SPACED_PRODUCT)
        return Form("infix", form.symbol, form.precedence, form.first, form.rest, marks)
    if op_type == "Pow" and operands == 2:
        return Form("infix", "**", POWER, POWER + 1, POWER)  # right-associative, as in Python
    if op_type == "Neg" and operands == 1:
        return _NEG
    return call(_CALLS.get(op_type) or snake_case(op_type))


_NEG = Form("prefix", "-", UNARY, UNARY + 1)


@functools.lru_cache(maxsize=4096)
def call(name: str) -> Form:
    """The form of a call: ``mean(x)``, ``f(x, y)``, ``dense_1(x)``."""
    return Form("call", name)


_TRANSPOSES = {
    "MatMul": ("transpose_a", "transpose_b"),
    "BatchMatMul": ("adj_x", "adj_y"),
    "BatchMatMulV2": ("adj_x", "adj_y"),
    "BatchMatMulV3": ("adj_x", "adj_y"),
}


def _true(attrs: dict[str, str], key: str) -> bool:
    return str(attrs.get(key, "")).lower() == "true"


_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z][a-z0-9]*|[a-z0-9]+")


@functools.lru_cache(maxsize=4096)
def snake_case(op_type: str) -> str:
    """``squared_difference`` for ``SquaredDifference``, ``log1p`` for ``Log1p``; a trailing
    version (``V2``) is dropped."""
    name = re.sub(r"V\d+$", "", op_type) or op_type
    words = _WORD.findall(name)
    return "_".join(w.lower() for w in words) or op_type.lower()


def fits_name(text: str) -> bool:
    """Whether ``text`` reads as one symbol in ``∂y/∂x`` (``x``, ``data[0]``, ``dense/kernel``),
    not an expression that needs parentheses there."""
    return _NAME.fullmatch(text) is not None


_NAME = re.compile(r"[\w./\[\]']+")


@dataclass(slots=True)
class Node:
    """What one tensor is, for its expression: a name or value (``form`` is ``None``), or an
    op's form over the tensors it was made from."""

    text: str = ""
    precedence: int = ATOM
    form: Form | None = None
    children: tuple[int, ...] = ()
    extra: tuple[Part, ...] = ()
    """Operands that are not tensors (a cast's dtype)."""
    suffix: str = ""
    """``:1`` for the second output of an op with several."""


def leaf(text: str) -> Node:
    """A name or a value: ``x``, ``2.0`` (a negative number binds as a unary minus)."""
    return Node(text, UNARY if text.startswith("-") else ATOM)


def collapsed(node: Node, budget: int, top: bool) -> Part:
    """``mean(…)`` for a call whose operands do not fit, else ``…``."""
    assert node.form is not None
    if node.form.kind == "call":
        text = f"{node.form.symbol}(…){node.suffix}"
        if len(text) <= budget:
            return text, ATOM
        if top:
            return shorten(text, budget), ATOM
    return "…", ATOM


def compose(node: Node, operands: list[Part]) -> Part:
    """The node's text over its operands' texts, with its output index where it has one."""
    assert node.form is not None
    text, precedence = node.form.compose([*operands, *node.extra])
    if node.suffix:
        return wrap((text, precedence), ATOM) + node.suffix, ATOM
    return text, precedence


def cost(part: Part, needed: int) -> int:
    """The characters an operand takes where ``needed`` precedence is asked: with parentheses
    where it binds looser."""
    return len(part[0]) + (2 if part[1] < needed else 0)


def precedence_of(node: Node) -> int:
    """How tightly the node's text binds (an indexed output, ``f(x):1``, is an atom)."""
    return node.form.precedence if node.form is not None and not node.suffix else node.precedence


def shorten(text: str, width: int) -> str:
    """``text`` cut to ``width`` characters, ending in ``…`` when cut."""
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"
