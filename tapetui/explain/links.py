"""One step of the scenario's dataflow, and whether a gradient can cross it."""

from __future__ import annotations

from dataclasses import dataclass, field

from tapetui.trace.events import Event, OpEvent

Node = int | tuple[str, int]
"""A tensor/variable id, or ``("assigned", seq)`` for the value an assignment stored."""


@dataclass(eq=False)
class Link:
    """One step of dataflow: ``src`` was used to make ``dst``."""

    src: Node
    dst: Node
    seq: int
    op: OpEvent | None = None
    code: str | None = None
    """Why a gradient cannot cross this link; ``None`` when it can."""
    weak: bool = False
    """A guess, not a proof: a value left TensorFlow, and later an unexplained one entered it."""
    evidence: list[Event] = field(default_factory=list)
    """Events proving a non-crossable link (the boundary crossings, the assignment)."""
    rank: int = field(default=0, repr=False)
    """The link's place among all links of its dataflow (the order they were added in): a
    search through a subgraph visits a node's links in this order, as through the whole one."""
