"""Searches from one source shared by every gradient call that asks about it.

In a loop every call asks about the same variable, and the part of the dataflow its question
covers grows with the loop: each step's assignment links the variable's history into the next
step, so a search per call, through that history, makes explaining N calls cost N². A cost that
depends on the link alone (not on the call's tape) gives the same answer from a search of the
whole run: :class:`FromSource` searches once, forward from the source, and each call reads its
targets off it.

The answers are exactly the per-call search's (``Dataflow.cheapest_path``): that search visits
only the nodes that reach the targets, in the same order as a search of the whole run visits
them (each node's links in rank order, nodes that cannot reach a target never leading to one
that can), so the cost, and the path chosen between equal ones, are the same.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Collection
from itertools import pairwise
from typing import TYPE_CHECKING

from tapetui.explain.links import Link, Node

if TYPE_CHECKING:
    from tapetui.explain.dataflow import Dataflow

Cost = Callable[[Link], "int | None"]
SHARE_AFTER = 8
"""Questions about one source answered per call before the whole run is searched once: the
debugger, explaining a call when it is shown, pays for the whole run only once its user has
looked at that many calls about the source (a report, explaining them all, at once)."""


class FromSource:
    """The cheapest cost of every node from ``source`` under ``cost``, and the links taken."""

    def __init__(self, flow: Dataflow, source: Node, cost: Cost) -> None:
        forward = flow.forward
        self.source = source
        self.best: dict[Node, int] = {source: 0}
        self.parent: dict[Node, Link] = {}
        best, parent = self.best, self.parent
        todo: deque[Node] = deque([source])
        ordered: dict[Node, list[Link]] = {}
        while todo:
            node = todo.popleft()
            links = ordered.get(node)
            if links is None:
                links = ordered[node] = ranked(forward, node)
            for link in links:
                step = cost(link)
                if step is None:
                    continue
                total = best[node] + step
                if total < best.get(link.dst, total + 1):
                    best[link.dst] = total
                    parent[link.dst] = link
                    (todo.appendleft if step == 0 else todo.append)(link.dst)

    def path(self, targets: Collection[Node]) -> tuple[int, list[Link]] | None:
        """As ``Dataflow.cheapest_path`` from the source to ``targets``."""
        best = self.best
        reached = [t for t in targets if t in best]
        if not reached:
            return None
        end = min(reached, key=lambda t: best[t])
        total = best[end]
        path: list[Link] = []
        while end != self.source:
            link = self.parent[end]
            path.append(link)
            end = link.src
        return total, path[::-1]


def ranked(forward: dict[Node, list[Link]], node: Node) -> list[Link]:
    """The node's links in rank order (boundary links are ranked after the others)."""
    links = forward.get(node, [])
    if len(links) > 1 and any(a.rank > b.rank for a, b in pairwise(links)):
        return sorted(links, key=_rank)
    return links


def _rank(link: Link) -> int:
    return link.rank


class CodesFrom:
    """For every node reached from ``source`` through links ``cost`` allows, the codes of the
    links on the paths to it: the links a gradient cannot cross between the source and it."""

    def __init__(self, flow: Dataflow, source: Node, cost: Cost) -> None:
        forward = flow.forward
        self.codes: dict[Node, frozenset[str]] = {source: frozenset()}
        codes = self.codes
        todo = [source]
        while todo:
            node = todo.pop()
            have = codes[node]
            for link in forward.get(node, ()):
                if cost(link) is None:
                    continue
                new = have | {link.code} if link.code and link.code not in have else have
                old = codes.get(link.dst)
                if old is None or not new <= old:
                    codes[link.dst] = new if old is None else old | new
                    todo.append(link.dst)

    def toward(self, targets: Collection[Node]) -> set[str]:
        """The codes of every link on some path from the source to a target."""
        found: set[str] = set()
        for target in targets:
            found |= self.codes.get(target, frozenset())
        return found


class Shared:
    """A dataflow's shared searches, made once :data:`SHARE_AFTER` questions about a source
    were answered per call."""

    def __init__(self) -> None:
        self.asked: dict[tuple[Node, Cost, str], int] = {}
        self.paths: dict[tuple[Node, Cost], FromSource] = {}
        self.codes: dict[tuple[Node, Cost], CodesFrom] = {}

    def ready(self, source: Node, cost: Cost, kind: str) -> bool:
        """Whether to answer from a whole-run search (counting this question)."""
        key = (source, cost, kind)
        count = self.asked[key] = self.asked.get(key, 0) + 1
        return count > SHARE_AFTER

    def path(
        self, flow: Dataflow, source: Node, targets: Collection[Node], cost: Cost
    ) -> tuple[int, list[Link]] | None:
        found = self.paths.get((source, cost))
        if found is None:
            found = self.paths[(source, cost)] = FromSource(flow, source, cost)
        return found.path(targets)

    def codes_toward(
        self, flow: Dataflow, source: Node, targets: Collection[Node], cost: Cost
    ) -> set[str]:
        found = self.codes.get((source, cost))
        if found is None:
            found = self.codes[(source, cost)] = CodesFrom(flow, source, cost)
        return found.toward(targets)
