"""The scenario's dataflow: every op it ran, recorded or not, plus the links gradients cannot cross.

Nodes are tensor ids (a variable is its handle id) and, for each assignment, the variable's new
value. A link carries ``code`` when a gradient cannot cross it (``stop_gradient``,
``non_float_dtype``, ``non_differentiable_op``, ``left_tensorflow``, ``stateful_assign``).
"""

from __future__ import annotations

import functools
from collections import deque
from collections.abc import Callable, Collection, Iterable

from tapetui.explain.linking import ASSIGN_OPS as ASSIGN_OPS
from tapetui.explain.linking import NON_DIFFERENTIABLE_OPS as NON_DIFFERENTIABLE_OPS
from tapetui.explain.linking import STOP_GRADIENT_OPS as STOP_GRADIENT_OPS
from tapetui.explain.linking import Linker
from tapetui.explain.linking import carries_gradient as carries_gradient
from tapetui.explain.links import Link, Node
from tapetui.explain.reach import Cost, Shared
from tapetui.trace.events import (
    BackwardStepEvent,
    Event,
    MissingGradientsEvent,
    OpEvent,
    VariableCreatedEvent,
)
from tapetui.trace.model import Tape, Trace


class Dataflow:
    """Forward and backward adjacency over every link of one trace.

    Everything is made on first use: an explanation that searches no path (a call where every
    source got its gradient) costs a look at its tape's events, not a graph of the whole run.
    """

    def __init__(self, trace: Trace) -> None:
        self.trace = trace
        self.shared = Shared()
        """Searches from one source, shared by every call asking about it (``reach``)."""

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
    def _linker(self) -> Linker:
        self._forward: dict[Node, list[Link]] = {}
        self._backward: dict[Node, list[Link]] = {}
        return Linker(self)

    @property
    def forward(self) -> dict[Node, list[Link]]:
        """Every link from each node, of the whole run."""
        self._linker.through(None)
        return self._forward

    @property
    def backward(self) -> dict[Node, list[Link]]:
        """Every link into each node, of the whole run."""
        self._linker.through(None)
        return self._backward

    def backward_to(self, nodes: set[Node]) -> dict[Node, list[Link]]:
        """The links into each node, made as far as a walk back from ``nodes`` needs: exactly
        the whole run's for every node that walk can reach."""
        linker = self._linker
        linker.through(linker.horizon(nodes))
        return self._backward

    def first_use(self, node: Node, before: int) -> OpEvent | None:
        """The first forward op that took ``node`` as an input before seq ``before``."""
        self._linker.through(before)
        for link in self._forward.get(node, ()):
            op = link.op
            if op is not None and not op.backward and op.seq < before:
                return op
        return None

    def add(self, link: Link, crossing: bool = False) -> None:
        """Add a link: an op's or assignment's, or (``crossing``) a boundary link."""
        ranks = self._linker.ranks
        place = 1 if crossing else 0
        ranks[place] += 1
        link.rank = ranks[place]
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
        backward = self.backward_to(seen)
        while todo:
            for link in backward.get(todo.popleft(), ()):
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
        backward = self.backward_to(seen)
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

    def shared_path(
        self, source: Node, targets: Collection[Node], cost: Cost
    ) -> tuple[int, list[Link]] | None:
        """``cheapest_path`` for a ``cost`` of the link alone (the same for every call): after a
        few questions about ``source`` (``reach.SHARE_AFTER``), read off one search of the
        whole run."""
        if self.shared.ready(source, cost, "path"):
            return self.shared.path(self, source, targets, cost)
        return self.cheapest_path(source, targets, cost)

    def shared_codes(self, source: Node, targets: Collection[Node], cost: Cost) -> set[str] | None:
        """The codes of every link on a path from ``source`` to a target through links ``cost``
        (of the link alone) allows; ``None`` for the first few questions about ``source``."""
        if self.shared.ready(source, cost, "codes"):
            return self.shared.codes_toward(self, source, targets, cost)
        return None


def _rank(item: tuple[Link, int]) -> int:
    return item[0].rank


def build(trace: Trace) -> Dataflow:
    """The dataflow graph of everything the scenario ran (its links made on first use)."""
    return Dataflow(trace)
