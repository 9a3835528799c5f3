"""The computation graph of one gradient call: what the tape recorded between target and sources,
forward values on the nodes, the gradients of the real backward pass on the edges.

Pure and lazy: building a :class:`GradientGraph` reads only the asked tape's part of the timeline
(its ops and the call's backward steps); a node's inputs are worked out when first asked for, so a
call over 100,000 ops opens as fast as one over ten. The debugger's graph view (``d``) and
``tapetui graph`` (Graphviz DOT/SVG) both draw from here.
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass, field
from typing import Any

from tapetui.explain.backward import data_of
from tapetui.explain.graph_breaks import Broken, broken_paths
from tapetui.explain.graph_index import CallIndex
from tapetui.trace.events import (
    BackwardStepEvent,
    OpEvent,
    WatchEvent,
)
from tapetui.trace.labels import format_data, label
from tapetui.trace.model import GradientCall, Trace

TRANSPARENT = frozenset({"ReadVariableOp"})
"""Ops drawn as the variable they read: ``x`` rather than ``ReadVariableOp(x)``."""
VALUE_WIDTH = 40
"""Characters of a value shown before it is cut."""


@dataclass(frozen=True)
class Watched:
    """How the tape came to watch a source."""

    explicit: bool
    """``tape.watch()`` (True) or read while the tape watched accessed variables (False)."""
    line: int | None

    @property
    def words(self) -> str:
        how = "watch()" if self.explicit else "auto on access"
        return f"{how}, l.{self.line}" if self.line is not None else how


@dataclass
class Node:
    """A tensor (or a variable, with its reads) of the graph."""

    key: int
    label: str
    value: str
    """The forward value, formatted."""
    op: OpEvent | None = None
    """The op that produced it, where the graph includes that op."""
    line: int | None = None
    file: str | None = None
    gradient: str | None = None
    """The gradient of the target with respect to it, as the backward pass computed it."""
    contributions: list[str] = field(default_factory=list)
    """Where the backward pass summed several contributions (a tensor used twice): each one."""
    target: bool = False
    source: bool = False
    watched: Watched | None = None
    on_path: bool = True
    """False for an input that leads to no source: drawn folded."""
    broken: Broken | None = None
    """For a source whose gradient is ``None``: why (the cause's code and words)."""
    backward_seq: int | None = None
    """The backward step of its op in this call (``b`` jumps there)."""
    recorded: bool = True
    """False where the tape did not record its op (a broken path)."""

    @property
    def op_type(self) -> str | None:
        return None if self.op is None else self.op.function or self.op.op_type

    @property
    def layer(self) -> str | None:
        return None if self.op is None else self.op.layer

    read: OpEvent | None = None
    """For a variable: its first read on the tape (where the graph's value of it comes from)."""

    @property
    def forward_seq(self) -> int | None:
        """The forward op to show for it: its op, or a variable's read."""
        op = self.op or self.read
        return None if op is None else op.seq


@dataclass(frozen=True)
class Edge:
    """The gradient that flowed from a consumer back to one of its inputs."""

    parent: int
    child: int
    index: int
    """Which input of the parent's op the child is."""
    gradient: str | None
    """The gradient TensorFlow produced for that input; ``None`` when none flowed."""
    backward_seq: int | None = None
    broken: Broken | None = None
    """Set on the link the why-None cause names (the op outside the tape, the NumPy round trip)."""


def value_text(trace: Trace, ref: int | None, width: int = VALUE_WIDTH) -> str:
    """A stored value as the graph shows it: whole when small (``8.0``, ``[1.0, 2.0]``), else
    its shape and mean (``[16×4] mean 0.2``), ``?`` when the trace did not keep it."""
    if ref is None:
        return "None"
    data = data_of(trace, ref)
    holder: Any = trace.tensors.get(ref) or trace.variables.get(ref)
    if data is not None:
        flat = _flat(data)
        if len(flat) <= WHOLE:
            text = format_data(data, digits=4)
            return text if len(text) <= width else text[: width - 1] + "…"
        numbers = [x for x in flat if isinstance(x, (int, float)) and not isinstance(x, bool)]
        mean = format_data(sum(numbers) / len(numbers), digits=4) if numbers else "?"
        return f"[{_shape(holder, len(flat))}] mean {mean}"
    summary = getattr(holder, "summary", None)
    if summary is None or summary.mean is None:
        return "?"
    return f"[{_shape(holder, summary.size)}] mean {format_data(summary.mean, digits=4)}"


WHOLE = 4
"""Values of up to this many elements are shown whole."""


def _flat(data: Any) -> list[Any]:
    if isinstance(data, list):
        return [x for item in data for x in _flat(item)]
    return [data]


def _shape(holder: Any, size: int) -> str:
    shape = getattr(holder, "shape", None)
    return "×".join(map(str, shape)) if shape else str(size)


class GradientGraph:
    """One gradient call's graph, from its target(s) down to its sources."""

    def __init__(self, trace: Trace, call_id: int, causes: list[Any] | None = None) -> None:
        if trace.events and not trace.ops:
            trace.reindex()
        self.trace = trace
        self.call: GradientCall = trace.gradient_calls[call_id]
        self.sources = [self.key(s) for s in self.call.source_ids if s is not None]
        self.targets = [self.key(t) for t in self.call.target_ids if t is not None]
        self.index = CallIndex(trace, self.call)
        self._reads: dict[int, int] = {}
        """Each variable's read that an op of the graph took (the value shown for it)."""
        self.breaks = broken_paths(trace, self.call, causes, self.key)
        self._nodes: dict[int, Node] = {}
        self._children: dict[tuple[int, str | None], list[Edge]] = {}

    def recorded(self, op: OpEvent) -> bool:
        """Whether the call's tape recorded ``op`` before the call."""
        return self.index.recorded(op)

    # names ------------------------------------------------------------------------------------

    def key(self, ref: int) -> int:
        """The node a tensor is drawn as: a variable's read is the variable."""
        tensor = self.trace.tensors.get(ref)
        if tensor is None or tensor.variable is None or tensor.variable not in self.trace.variables:
            return ref
        op = self.trace.ops.get(tensor.producer) if tensor.producer is not None else None
        if op is None or op.op_type in TRANSPARENT or tensor.dtype == "resource":
            return tensor.variable
        return ref

    def producer(self, key: int) -> OpEvent | None:
        """The op the graph draws as making ``key``: recorded by the tape, or on a broken path."""
        if key in self.trace.variables:
            return None
        tensor = self.trace.tensors.get(key)
        if tensor is None or tensor.producer is None:
            return None
        op = self.trace.ops.get(tensor.producer)
        if op is None or not self.recorded(op):
            op = self.breaks.ops.get(tensor.producer)
        if op is None or key not in op.outputs or self._reads_variable(op):
            return None
        return op

    def _reads_variable(self, op: OpEvent) -> bool:
        """A variable's read: drawn as the variable."""
        outputs = [self.trace.tensors.get(ref) for ref in op.outputs]
        return op.op_type in TRANSPARENT and all(t is not None and t.variable for t in outputs)

    def layers(self) -> frozenset[str]:
        """The Keras layers of the ops the tape recorded."""
        return self.index.layers()

    @property
    def roots(self) -> list[int]:
        """The targets, then each source no path reaches (drawn on its own)."""
        alone = [s for s in self.breaks.alone if s not in self.targets]
        return list(dict.fromkeys([*self.targets, *alone]))

    # nodes ------------------------------------------------------------------------------------

    def node(self, key: int) -> Node:
        found = self._nodes.get(key)
        if found is None:
            found = self._nodes[key] = self._make_node(key)
        return found

    def _make_node(self, key: int) -> Node:
        trace, op = self.trace, self.producer(key)
        holder: Any = trace.tensors.get(key) or trace.variables.get(key)
        read = self._read_of(key)
        node = Node(key, label(trace, key), value_text(trace, read or key), op)
        node.recorded = op is None or self.recorded(op)
        node.line = op.line if op is not None else getattr(holder, "line", None)
        node.file = op.file if op is not None else getattr(holder, "file", None)
        node.target = key in self.targets
        node.source = key in self.sources
        reaches = self.index.reaches_source(read or key)
        node.on_path = reaches is not False or key in self.breaks.keys or node.target
        if node.source:
            node.watched = self._watched(key)
            node.broken = self.breaks.sources.get(key)
        node.read = self.trace.ops.get(self.trace.tensors[read].producer or -1) if read else None
        stepped = op or node.read
        step = self.index.step(stepped.op) if stepped is not None else None
        summed = self.index.sum_of(key, op.op if op is not None else None)
        node.backward_seq = step.seq if step is not None else None
        if summed is not None and node.read is not None:
            node.backward_seq = summed.seq  # a variable's gradients meet in a sum
        node.gradient = self._gradient(key, op, step)
        if summed is not None:
            node.contributions = [value_text(trace, g) for g in summed.contributions]
        return node

    def _read_of(self, key: int) -> int | None:
        """The read of variable ``key`` the graph's ops took (else its first on the tape)."""
        if key in self._reads or key not in self.trace.variables:
            return self._reads.get(key)
        for event in self.index.window():
            if (
                isinstance(event, OpEvent)
                and event.op_type in TRANSPARENT
                and event.inputs[:1] == [key]
                and event.outputs
                and self.recorded(event)
            ):
                self._reads[key] = event.outputs[0]
                break
        return self._reads.get(key)

    def _gradient(self, key: int, op: OpEvent | None, step: BackwardStepEvent | None) -> str | None:
        call = self.call
        if key in self.sources:
            i = self.sources.index(key)
            result = call.result_ids[i] if i < len(call.result_ids) else None
            return value_text(self.trace, result)
        summed = self.index.sum_of(key, op.op if op is not None else None)
        if summed is not None and summed.total is not None:
            return value_text(self.trace, summed.total)
        if step is not None and op is not None and step.upstream:
            where = op.outputs.index(key) if key in op.outputs else 0
            upstream = step.upstream[where] if where < len(step.upstream) else step.upstream[0]
            return value_text(self.trace, upstream) if upstream is not None else None
        return None

    def _watched(self, key: int) -> Watched | None:
        for event in self.index.window():  # the tape's watches are in its events
            if not isinstance(event, WatchEvent) or event.tape != self.call.tape:
                continue
            for item in event.items:
                if item.status == "watched" and item.ref is not None and self.key(item.ref) == key:
                    return Watched(event.explicit, event.line)
        return None

    # edges ------------------------------------------------------------------------------------

    def children(self, key: int, collapsed: Container[str] = ()) -> list[Edge]:
        """The inputs of ``key``'s op, with the gradient each received from it; with the node's
        Keras layer in ``collapsed``, the inputs the layer took from outside itself."""
        op = self.producer(key)
        layer = op.layer if op is not None and op.layer in collapsed else None
        cached = self._children.get((key, layer))
        if cached is None:
            cached = self._layer_inputs(key, layer) if layer else self._inputs(key)
            self._children[(key, layer)] = cached
        return cached

    def _inputs(self, key: int) -> list[Edge]:
        edges = self._op_inputs(key, self.producer(key))
        edges += [
            Edge(key, self.key(src), 0, None, None, self.breaks.at.get(src))
            for src in self.breaks.into.get(key, [])
        ]
        return edges

    def _op_inputs(self, key: int, op: OpEvent | None) -> list[Edge]:
        if op is None:
            return []
        step = self.index.step(op.op)
        edges = []
        for i, ref in enumerate(op.inputs):
            if self.key(ref) != ref:
                self._reads.setdefault(self.key(ref), ref)
            produced = step.produced[i] if step is not None and i < len(step.produced) else None
            gradient = value_text(self.trace, produced) if produced is not None else None
            cut = self.breaks.at_op.get(op.op)
            broken = cut if cut is not None and self.key(ref) in self.breaks.keys else None
            seq = step.seq if step is not None else None
            edges.append(Edge(key, self.key(ref), i, gradient, seq, broken))
        return edges

    def _layer_inputs(self, key: int, layer: str) -> list[Edge]:
        """Walk back through the layer's ops; what comes from outside it are the inputs."""
        edges: list[Edge] = []
        seen: set[int] = {key}
        todo = [key]
        while todo:
            inner = todo.pop()
            inside = []
            for edge in self._inputs(inner):
                child_op = self.producer(edge.child)
                if child_op is None or child_op.layer != layer:
                    edges.append(Edge(key, edge.child, edge.index, *_rest(edge)))
                elif edge.child not in seen:
                    seen.add(edge.child)
                    inside.append(edge.child)
            todo.extend(reversed(inside))
        return edges

    def layer_ops(self, key: int) -> list[OpEvent]:
        """The ops of ``key``'s layer that lead to it (a collapsed layer node's contents)."""
        op = self.producer(key)
        if op is None or op.layer is None:
            return []
        found: dict[int, OpEvent] = {op.op: op}
        todo = [key]
        while todo:
            for edge in self._inputs(todo.pop()):
                child_op = self.producer(edge.child)
                if child_op is not None and child_op.layer == op.layer and child_op.op not in found:
                    found[child_op.op] = child_op
                    todo.append(edge.child)
        return sorted(found.values(), key=lambda o: o.seq)

    def walk(self, collapsed: Container[str] = (), limit: int = 5000) -> list[Edge]:
        """Every edge reachable from the roots through nodes on a path, each once (for export)."""
        edges: list[Edge] = []
        seen = set(self.roots)
        todo = list(self.roots)
        while todo and len(edges) < limit:
            key = todo.pop(0)
            if not self.node(key).on_path:
                continue
            for edge in self.children(key, collapsed):
                edges.append(edge)
                if edge.child not in seen:
                    seen.add(edge.child)
                    todo.append(edge.child)
        return edges


def _rest(edge: Edge) -> tuple[str | None, int | None, Broken | None]:
    return edge.gradient, edge.backward_seq, edge.broken
