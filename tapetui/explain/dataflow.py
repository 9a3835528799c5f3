"""The scenario's dataflow: every op it ran, recorded or not, plus the links gradients cannot cross.

Nodes are tensor ids (a variable is its handle id) and, for each assignment, the variable's new
value. A link carries ``code`` when a gradient cannot cross it (``stop_gradient``,
``non_float_dtype``, ``non_differentiable_op``, ``left_tensorflow``, ``stateful_assign``).
"""

from __future__ import annotations

import functools
from collections import deque
from collections.abc import Callable, Collection, Iterable
from itertools import chain

from tapetui.explain.crossings import boundary_links
from tapetui.explain.links import Link, Node
from tapetui.trace.events import (
    AssignEvent,
    BackwardStepEvent,
    Event,
    MissingGradientsEvent,
    OpEvent,
    VariableCreatedEvent,
)
from tapetui.trace.model import Tape, Trace

ASSIGN_OPS = frozenset({"AssignVariableOp", "AssignAddVariableOp", "AssignSubVariableOp"})
"""Ops that store their second input into the variable given as the first."""

STOP_GRADIENT_OPS = frozenset({"StopGradient", "PreventGradient"})

NON_DIFFERENTIABLE_OPS = frozenset(
    {
        # Gradient functions that return None (TensorFlow's math_grad / array_grad).
        "ArgMax", "ArgMin", "Round", "Rint", "Floor", "Ceil", "FloorDiv", "TruncateDiv",
        # Registered with ops.NotDifferentiable.
        "Equal", "NotEqual", "Greater", "GreaterEqual", "Less", "LessEqual", "ApproximateEqual",
        "LogicalAnd", "LogicalOr", "LogicalNot", "OneHot", "OnesLike", "ZerosLike", "Shape",
        "ShapeN", "Size", "Rank", "Range", "LinSpace", "RandomUniform", "RandomStandardNormal",
        "TruncatedNormal", "Multinomial", "RandomShuffle", "BitwiseAnd", "BitwiseOr",
        "BitwiseXor", "Invert", "LeftShift", "RightShift", "PopulationCount", "StringToNumber",
        "AsString", "EditDistance", "NonMaxSuppression", "NonMaxSuppressionV2",
    }
)  # fmt: skip
"""Op types TensorFlow (2.21) treats as having no gradient."""

_FLOWING_DTYPES = ("float", "bfloat", "complex", "half", "double")


def carries_gradient(dtype: str | None) -> bool:
    """Whether a gradient can flow through a value of this dtype (unknown dtypes: assume so)."""
    if not dtype:
        return True
    return dtype.startswith(_FLOWING_DTYPES) or dtype in ("resource", "variant")


class Dataflow:
    """Forward and backward adjacency over every link of one trace.

    Everything is made on first use: an explanation that searches no path (a call where every
    source got its gradient) costs a look at its tape's events, not a graph of the whole run.
    """

    def __init__(self, trace: Trace) -> None:
        self.trace = trace
        self._added = 0

    @property
    def tape_events(self) -> dict[int, list[Event]]:
        """Each tape's own events (enter, watch, stop, reset, exit), in order."""
        return self.trace.tape_events()

    @functools.cached_property
    def created(self) -> dict[int, VariableCreatedEvent]:
        """Where each variable was created, by variable id."""
        found: dict[int, VariableCreatedEvent] = {}
        for event in self.trace.events:
            if isinstance(event, VariableCreatedEvent):
                found.setdefault(event.variable, event)
        return found

    @functools.cached_property
    def backward_steps(self) -> dict[int, list[BackwardStepEvent]]:
        """Each gradient call's backward steps, in order, by call id."""
        found: dict[int, list[BackwardStepEvent]] = {}
        for event in self.trace.events:
            if type(event) is BackwardStepEvent:
                found.setdefault(event.call, []).append(event)
        return found

    @functools.cached_property
    def missing_gradients(self) -> dict[int | None, list[MissingGradientsEvent]]:
        """Each time a Keras optimizer was given ``None`` gradients, by the gradient call that
        returned them, in timeline order."""
        found: dict[int | None, list[MissingGradientsEvent]] = {}
        for event in self.trace.events:
            if type(event) is MissingGradientsEvent:
                found.setdefault(event.call, []).append(event)
        return found

    @functools.cached_property
    def tape_places(self) -> dict[int, list[tuple[int, Tape]]]:
        """Each tape's place in ``trace.tapes``, by tape id."""
        found: dict[int, list[tuple[int, Tape]]] = {}
        for place, tape in enumerate(self.trace.tapes.values()):
            found.setdefault(tape.id, []).append((place, tape))
        return found

    @functools.cached_property
    def _adjacency(self) -> tuple[dict[Node, list[Link]], dict[Node, list[Link]]]:
        self._forward: dict[Node, list[Link]] = {}
        self._backward: dict[Node, list[Link]] = {}
        _link_everything(self)
        return self._forward, self._backward

    @property
    def forward(self) -> dict[Node, list[Link]]:
        return self._adjacency[0]

    @property
    def backward(self) -> dict[Node, list[Link]]:
        return self._adjacency[1]

    def add(self, link: Link) -> None:
        self._added += 1
        link.rank = self._added
        self._forward.setdefault(link.src, []).append(link)
        self._backward.setdefault(link.dst, []).append(link)

    def dtype(self, node: Node) -> str | None:
        """The dtype a gradient would have at this node (a variable's, not ``resource``)."""
        if not isinstance(node, int):
            return None
        var = self.trace.variables.get(node)
        if var is not None:
            return var.dtype
        tensor = self.trace.tensors.get(node)
        if tensor is None:
            return None
        if tensor.dtype == "resource" and tensor.variable in self.trace.variables:
            return self.trace.variables[tensor.variable].dtype
        return tensor.dtype

    def reaching(self, targets: Iterable[Node], allow: Callable[[Link], bool]) -> set[Node]:
        """Every node from which some target can be reached through allowed links."""
        seen = set(targets)
        todo = deque(seen)
        while todo:
            for link in self.backward.get(todo.popleft(), ()):
                if link.src not in seen and allow(link):
                    seen.add(link.src)
                    todo.append(link.src)
        return seen

    def toward(
        self, targets: Iterable[Node], cost: Callable[[Link], int | None]
    ) -> tuple[set[Node], dict[Node, list[tuple[Link, int]]]]:
        """Every node from which some target can be reached through links ``cost`` allows, and
        those links with their costs, by source node, in the order they were added.

        A search from a source needs no other link: walking each node's own forward links
        instead would visit, from a variable read in every step of a loop, one link per step
        of the whole run for each call asked about it.
        """
        seen = set(targets)
        todo = deque(seen)
        links_from: dict[Node, list[tuple[Link, int]]] = {}
        backward = self.backward
        while todo:
            for link in backward.get(todo.popleft(), ()):
                step = cost(link)
                if step is None:
                    continue
                links_from.setdefault(link.src, []).append((link, step))
                if link.src not in seen:
                    seen.add(link.src)
                    todo.append(link.src)
        for links in links_from.values():
            if len(links) > 1:
                links.sort(key=_rank)
        return seen, links_from

    def cheapest_path(
        self,
        source: Node,
        targets: Collection[Node],
        cost: Callable[[Link], int | None],
    ) -> tuple[int, list[Link]] | None:
        """The path from ``source`` to a target of least total cost (``None`` cost = blocked)."""
        useful, links_from = self.toward(targets, cost)
        if source not in useful:
            return None
        best: dict[Node, int] = {source: 0}
        parent: dict[Node, Link] = {}
        todo: deque[Node] = deque([source])
        while todo:
            node = todo.popleft()
            for link, step in links_from.get(node, ()):
                total = best[node] + step
                if total < best.get(link.dst, total + 1):
                    best[link.dst] = total
                    parent[link.dst] = link
                    (todo.appendleft if step == 0 else todo.append)(link.dst)
        reached = [t for t in targets if t in best]
        end = min(reached, key=lambda t: best[t])
        total = best[end]
        path: list[Link] = []
        while end != source:
            link = parent[end]
            path.append(link)
            end = link.src
        return total, path[::-1]


def _rank(item: tuple[Link, int]) -> int:
    return item[0].rank


def build(trace: Trace) -> Dataflow:
    """The dataflow graph of everything the scenario ran (its links made on first use)."""
    return Dataflow(trace)


def _link_everything(flow: Dataflow) -> None:
    trace = flow.trace
    blocked_inputs = _inputs_without_gradient(flow)
    assigned: dict[int, Node] = {}
    """Each variable's latest assignment so far."""
    for event in trace.events:  # exact types, not isinstance: once per event of the whole run
        if type(event) is OpEvent:
            if event.op_type in ASSIGN_OPS and len(event.inputs) > 1:
                _add_assignment(flow, event, event.inputs[0], event.inputs[1], assigned)
            else:
                _add_op(flow, event, assigned, blocked_inputs)
        elif type(event) is AssignEvent and event.value is not None:
            _add_assignment(flow, event, event.variable, event.value, assigned)
    for link in boundary_links(trace):
        flow.add(link)


def _add_assignment(
    flow: Dataflow, event: Event, variable: int, value: int, assigned: dict[int, Node]
) -> None:
    """The value stored, as a node; a later read of the variable links from the latest such
    node, and each links from the one before, so every earlier value reaches the read (with
    ``assign_add`` the stored value depends on the old one) through one link per assignment,
    not one per assignment per read: a training loop is linear, not quadratic, in its steps."""
    node = ("assigned", event.seq)
    flow.add(Link(value, node, event.seq, code="stateful_assign", evidence=[event]))
    previous = assigned.get(variable)
    if previous is not None:
        flow.add(Link(previous, node, event.seq))
    assigned[variable] = node


def _add_op(
    flow: Dataflow,
    op: OpEvent,
    assigned: dict[int, Node],
    blocked_inputs: set[tuple[int, int]],
) -> None:
    for index, ref in enumerate(op.inputs):
        latest = assigned.get(ref)
        sources: list[Node] = [ref] if latest is None else [ref, latest]
        for out in op.outputs:
            code = _op_code(flow, op, ref, out, (op.op, index) in blocked_inputs)
            for src in sources:
                flow.add(Link(src, out, op.seq, op=op, code=code))


def _op_code(flow: Dataflow, op: OpEvent, ref: int, out: int, no_gradient: bool) -> str | None:
    if op.op_type in STOP_GRADIENT_OPS:
        return "stop_gradient"
    if op.op_type in NON_DIFFERENTIABLE_OPS:
        return "non_differentiable_op"
    if not carries_gradient(flow.dtype(ref)) or not carries_gradient(flow.dtype(out)):
        return "non_float_dtype"
    if no_gradient:
        return "non_differentiable_op"
    return None


def _inputs_without_gradient(flow: Dataflow) -> set[tuple[int, int]]:
    """(op, input index) pairs whose real backward step produced no gradient though one arrived."""
    blocked: set[tuple[int, int]] = set()
    for event in chain.from_iterable(flow.backward_steps.values()):
        if not any(g is not None for g in event.upstream):
            continue
        for index, grad in enumerate(event.produced):
            if grad is None and index not in event.skipped:
                blocked.add((event.op, index))
    return blocked
