"""Readable names for what a trace refers to, in the scenario's own words where it has them.

A tensor the scenario never named is named by a short expression of the op that made it:
``x*x``, ``z1 + z2``, ``mean(square(y_pred - y_true))``, ``hidden(data[0])`` for a Keras layer's
output, cut to :data:`LIMIT` characters from the inside out (``…*x*x``). Each tensor's
expression is made once per trace, so naming every row of a 100,000-op trace stays cheap.
"""

from __future__ import annotations

from typing import Any

from tapetui.trace.events import OpEvent
from tapetui.trace.expressions import (
    ATOM,
    TRANSPARENT,
    Node,
    Part,
    call,
    collapsed,
    compose,
    cost,
    form_of,
    leaf,
    precedence_of,
    shorten,
)
from tapetui.trace.model import Tensor, Trace
from tapetui.trace.shapes import NONE, Shapes

LIMIT = 32
"""The longest expression a label shows; longer ones lose their innermost parts to ``…``."""
_CACHE = "_tapetui_expressions"
_HOPS = 64
"""How many ``Identity``/``ReadVariableOp`` a name is followed through (a damaged trace may
loop)."""
_INTEGERS = ("int", "uint", "bool")
_SHORT_VALUE = 12


def label(trace: Trace, ref: int | None) -> str:
    """``z`` where the scenario bound a name, else ``Variable 'weight'``, an expression of its
    op's inputs (``x*x``), ``constant 2.0`` or ``tensor #7``."""
    if ref is None:
        return "None"
    var = trace.variables.get(ref)
    if var is not None:
        return var.pyname or f"Variable '{var.name}'"
    tensor = trace.tensors.get(ref)
    if tensor is None:
        return f"tensor #{ref}"
    if tensor.name:
        return tensor.name
    if tensor.variable is not None and tensor.variable in trace.variables:
        return label(trace, tensor.variable)
    op = trace.ops.get(tensor.producer) if tensor.producer is not None else None
    if op is not None and ref in op.outputs:
        return expressions_of(trace).label(trace, ref)
    if tensor.producer is None:
        return (
            f"constant {format_data(tensor.data)}" if tensor.data is not None else f"tensor #{ref}"
        )
    return f"tensor #{ref}"


def expression(trace: Trace, ref: int | None) -> str:
    """What an op computed, written with its inputs' names (``x*x``), even where the scenario
    named the result (``z1``); a name or a value that no op made is its label."""
    tensor = trace.tensors.get(ref) if ref is not None else None
    if tensor is None or tensor.producer not in trace.ops or ref in trace.variables:
        return label(trace, ref)
    return expressions_of(trace).expression(trace, tensor.id)


def structure_label(trace: Trace, structure: Any) -> str:
    """Label of a nested structure of refs: ``[W, b]``, ``{'w': W}``."""
    if isinstance(structure, list):
        return "[" + ", ".join(structure_label(trace, s) for s in structure) + "]"
    if isinstance(structure, dict):
        return (
            "{"
            + ", ".join(f"{k!r}: {structure_label(trace, v)}" for k, v in structure.items())
            + "}"
        )
    return label(trace, structure)


def format_data(data: Any, digits: int = 6) -> str:
    """A captured value as a user reads it: ``8.0``, ``[1.0, 2.0]``, ``nan``."""
    if isinstance(data, list):
        return "[" + ", ".join(format_data(d, digits) for d in data) + "]"
    if isinstance(data, bool):
        return str(data)
    if isinstance(data, float):
        return f"{data:.{digits}g}" if not data.is_integer() or abs(data) >= 1e16 else f"{data:.1f}"
    return str(data)


def expressions_of(trace: Trace) -> Expressions:
    """The trace's expressions, made on first use and again when the trace changed."""
    found = trace.__dict__.get(_CACHE)
    if found is not None and found.fits(trace):
        return found  # type: ignore[no-any-return]
    made = Expressions(trace)
    setattr(trace, _CACHE, made)
    return made


class Expressions:
    """Each tensor's expression, made once: the whole text where it fits in :data:`LIMIT`,
    and the cut label of each tensor asked for."""

    def __init__(self, trace: Trace) -> None:
        self._ops = trace.ops
        self._size = _size(trace)
        self._nodes: dict[int, Node] = {}
        self._whole: dict[int, Part | int] = {}
        """The expression in full where it was made, else ``n``: it is longer than ``n``."""
        self._labels: dict[int, str] = {}
        self._expressions: dict[int, str] = {}
        self._shapes = Shapes()
        self._by_shape: dict[int, str] = {}
        """The label of each tree (``tapetui.trace.shapes``): tensors written alike share it."""
        self._inside_layer: set[int] | None = None

    def fits(self, trace: Trace) -> bool:
        size = self._size
        return (
            trace.ops is self._ops
            and len(trace.events) == size[0]
            and len(trace.tensors) == size[1]
            and len(trace.variables) == size[2]
        )

    def label(self, trace: Trace, ref: int) -> str:
        found = self._labels.get(ref)
        if found is None:
            key = self._shapes.key(ref, lambda r: self.node(trace, r))
            found = self._by_shape.get(key) if key != NONE else None
            if found is None:
                found = self.cut(trace, ref, LIMIT)[0]
                if key != NONE:
                    self._by_shape[key] = found
            self._labels[ref] = found
        return found

    def expression(self, trace: Trace, ref: int) -> str:
        """The op's expression for its output even where the scenario named it: ``x*x`` for
        ``z1``."""
        found = self._expressions.get(ref)
        if found is None:
            found = self._expressions[ref] = self._expression(trace, ref)
        return found

    def _expression(self, trace: Trace, ref: int) -> str:
        tensor = trace.tensors.get(ref)
        op = _producer(trace, tensor) if tensor is not None else None
        if op is None or ref not in op.outputs or op.op_type in TRANSPARENT:
            return self.label(trace, ref)
        assert tensor is not None
        if (
            not tensor.name
            and ref not in trace.variables
            and tensor.variable not in trace.variables
        ):
            return self.label(trace, ref)  # its label is its op's expression: made once
        node = self._op_node(trace, op, ref)
        part = self._whole_of(trace, node, LIMIT)
        return part[0] if part is not None else self.cut_node(trace, node, LIMIT)[0]

    # what a tensor is ---------------------------------------------------------------------

    def node(self, trace: Trace, ref: int) -> Node:
        found = self._nodes.get(ref)
        if found is None:
            found = self._nodes[ref] = self._make(trace, ref)
        return found

    def _make(self, trace: Trace, ref: int) -> Node:
        for _ in range(_HOPS):
            var = trace.variables.get(ref)
            if var is not None:
                return leaf(var.pyname or var.name)
            tensor = trace.tensors.get(ref)
            if tensor is None:
                return leaf(f"#{ref}")
            if tensor.name:
                return leaf(tensor.name)
            if tensor.variable is not None and tensor.variable in trace.variables:
                ref = tensor.variable
                continue
            op = _producer(trace, tensor)
            if op is None or ref not in op.outputs:
                return leaf(_value_text(tensor))
            if op.op_type in TRANSPARENT and op.inputs:
                index = op.outputs.index(ref) if op.op_type == "IdentityN" else 0
                ref = op.inputs[min(index, len(op.inputs) - 1)]
                continue
            return self._op_node(trace, op, ref)
        return leaf("…")

    def _op_node(self, trace: Trace, op: OpEvent, ref: int) -> Node:
        suffix = f":{op.outputs.index(ref)}" if len(op.outputs) > 1 else ""
        if op.layer and not op.backward and self._leaves_layer(trace, ref):
            inputs = tuple(self._layer_inputs(trace, op))
            return Node(form=call(op.layer), children=inputs, suffix=suffix)
        if op.function:
            return Node(form=call(op.function), children=tuple(op.inputs), suffix=suffix)
        if op.op_type == "Const":
            return leaf(_value_text(trace.tensors[ref]))
        shown = tuple(_shown_inputs(trace, op))
        dtype = op.attrs.get("DstT") if op.op_type == "Cast" else None
        extra: tuple[Part, ...] = ((dtype, ATOM),) if dtype else ()
        form = form_of(op.op_type, op.attrs, len(shown) + len(extra))
        return Node(form=form, children=shown, extra=extra, suffix=suffix)

    def _leaves_layer(self, trace: Trace, ref: int) -> bool:
        """Whether a layer's op's output leaves the layer (no op of that layer uses it): the
        layer's output, named after the layer."""
        if self._inside_layer is None:
            self._inside_layer = _used_inside_layers(trace)
        return ref not in self._inside_layer

    def _layer_inputs(self, trace: Trace, last: OpEvent) -> list[int]:
        """What the layer call that ended in ``last`` was given: the tensors its ops used that
        came from outside it, in the order they are used (its own variables left out)."""
        found: list[int] = []
        constants: list[int] = []
        seen: set[int] = set()
        ops = {last.op}
        todo = list(reversed(last.inputs))
        while todo:
            ref = todo.pop()
            if ref in seen:
                continue
            seen.add(ref)
            tensor = trace.tensors.get(ref)
            if tensor is None or _is_variable(trace, tensor):
                continue
            op = _producer(trace, tensor)
            if op is not None and op.layer == last.layer and not op.backward and not tensor.name:
                if op.op not in ops:
                    ops.add(op.op)
                    todo.extend(reversed(op.inputs))
            else:
                (found if op is not None or tensor.name else constants).append(ref)
        return found or constants

    # the text -----------------------------------------------------------------------------

    def whole(self, trace: Trace, ref: int, budget: int = LIMIT) -> Part | None:
        """The expression in full, or ``None`` when it is longer than ``budget``.

        Only as much of the graph is read as ``budget`` can show: every op adds a character,
        so a chain of 100,000 ops is read ``budget`` ops deep, and never recursed through.
        """
        if budget < 1:
            return None
        known = self._whole.get(ref)
        if isinstance(known, tuple):
            return known if len(known[0]) <= budget else None
        if known is not None and known >= budget:
            return None
        part = self._whole_of(trace, self.node(trace, ref), budget)
        self._whole[ref] = budget if part is None else part
        return part

    def _whole_of(self, trace: Trace, node: Node, budget: int) -> Part | None:
        if node.form is None:
            return (node.text, node.precedence) if len(node.text) <= budget else None
        count = len(node.children) + len(node.extra)
        room = budget - node.form.overhead(count) - len(node.suffix)
        room -= sum(len(text) for text, _ in node.extra)
        parts: list[Part] = []
        for i, child in enumerate(node.children):
            others = len(node.children) - i - 1  # each still to come takes a character at least
            part = self.whole(trace, child, room - others)
            if part is None:
                return None
            room -= cost(part, node.form.needs(i))
            parts.append(part)
        text, precedence = compose(node, parts)
        return (text, precedence) if len(text) <= budget else None

    def cut(self, trace: Trace, ref: int, budget: int, top: bool = True) -> Part:
        """The expression in at most ``budget`` characters: the parts that fit stay whole, the
        longest ones are cut, innermost first; a name is never cut inside an expression."""
        part = self.whole(trace, ref, budget)
        if part is not None:
            return part
        return self.cut_node(trace, self.node(trace, ref), budget, top)

    def cut_node(self, trace: Trace, node: Node, budget: int, top: bool = True) -> Part:
        if node.form is None:
            return (shorten(node.text, budget), ATOM) if top else ("…", ATOM)
        count = len(node.children) + len(node.extra)
        room = budget - node.form.overhead(count) - len(node.suffix)
        room -= sum(len(text) for text, _ in node.extra)
        if room >= len(node.children):
            text, precedence = compose(node, self._fit(trace, node, room))
            if len(text) <= budget:
                return text, precedence
        return collapsed(node, budget, top)

    def _fit(self, trace: Trace, node: Node, room: int) -> list[Part]:
        """The operands of ``node`` in ``room`` characters: the shortest whole, the rest cut
        to equal shares."""
        assert node.form is not None
        form = node.form
        if len(node.children) == 1:
            return [self._fit_one(trace, node.children[0], form.needs(0), room)]
        wholes = [self.whole(trace, c, room) for c in node.children]
        costs = [cost(p, form.needs(i)) if p is not None else None for i, p in enumerate(wholes)]
        order = sorted(range(len(wholes)), key=lambda i: (costs[i] is None, costs[i] or 0))
        chosen: dict[int, Part] = {}
        for place, i in enumerate(order):
            taken, whole = costs[i], wholes[i]
            if taken is None or whole is None or taken + len(order) - place - 1 > room:
                break
            chosen[i], room = whole, room - taken
        rest = [i for i in order if i not in chosen]
        share = room // len(rest) if rest else 0
        for i in rest:
            child = self.node(trace, node.children[i])
            inner = share - (2 if precedence_of(child) < form.needs(i) else 0)
            chosen[i] = (
                self.cut(trace, node.children[i], inner, top=False) if inner >= 1 else ("…", ATOM)
            )
        return [chosen[i] for i in range(len(wholes))]

    def _fit_one(self, trace: Trace, child: int, needed: int, room: int) -> Part:
        part = self.whole(trace, child, room)
        if part is not None and cost(part, needed) <= room:
            return part
        inner = room - (2 if precedence_of(self.node(trace, child)) < needed else 0)
        return self.cut(trace, child, inner, top=False) if inner >= 1 else ("…", ATOM)


def _size(trace: Trace) -> tuple[int, int, int]:
    return len(trace.events), len(trace.tensors), len(trace.variables)


def _producer(trace: Trace, tensor: Tensor) -> OpEvent | None:
    return trace.ops.get(tensor.producer) if tensor.producer is not None else None


def _is_variable(trace: Trace, tensor: Tensor) -> bool:
    return tensor.id in trace.variables or tensor.variable is not None or tensor.dtype == "resource"


def _value_text(tensor: Tensor) -> str:
    """A value entering TensorFlow as it reads in an expression: ``2.0``, ``[0, 1]``, else
    ``const``."""
    if tensor.data is None:
        return "const" if tensor.summary is not None else f"#{tensor.id}"
    text = format_data(tensor.data)
    if tensor.dtype == "string":
        text = repr(text)
    return text if len(text) <= _SHORT_VALUE else "const"


def _droppable(trace: Trace, ref: int) -> bool:
    """An axis, a shape or a flag: an unnamed integer constant, left out of the expression."""
    tensor = trace.tensors.get(ref)
    if tensor is None or tensor.name or tensor.variable is not None:
        return False
    producer = _producer(trace, tensor)
    constant = tensor.producer is None or (producer is not None and producer.op_type == "Const")
    return constant and tensor.dtype.startswith(_INTEGERS)


def _shown_inputs(trace: Trace, op: OpEvent) -> list[int]:
    shown = [ref for ref in op.inputs if not _droppable(trace, ref)]
    return shown if shown else list(op.inputs)


def _used_inside_layers(trace: Trace) -> set[int]:
    """The tensors a layer's op made that an op of the same layer used."""
    inside: set[int] = set()
    for consumer in trace.ops.values():
        if consumer.layer is None or consumer.backward:
            continue
        for ref in consumer.inputs:
            tensor = trace.tensors.get(ref)
            op = _producer(trace, tensor) if tensor is not None else None
            if op is not None and op.layer == consumer.layer and not op.backward:
                inside.add(ref)
    return inside
