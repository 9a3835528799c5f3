"""The dataflow's links, made in timeline order as far as a question needs them.

Each op links its inputs to its outputs, each assignment the stored value to the variable's new
value, and each value entering TensorFlow the values that left it before (``crossings``). A
question about targets (which values reach them) needs only the links into what they were made
from; in a recorded timeline every link into a value is made at the event that made the value,
so the links up to the last of the targets' first appearances answer it exactly as the whole
run's would. ``births`` checks that the timeline is like that, once, without making a link;
for a timeline that is not (hand-made, events out of order) every question gets the whole run.
"""

from __future__ import annotations

from itertools import chain
from typing import TYPE_CHECKING

from tapetui.explain.crossings import Crossings
from tapetui.explain.links import Link, Node
from tapetui.trace.events import AssignEvent, BoundaryEvent, Event, OpEvent
from tapetui.trace.model import Trace

if TYPE_CHECKING:
    from tapetui.explain.dataflow import Dataflow

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

ITERATOR_OPS = frozenset(
    {
        "MakeIterator", "AnonymousIteratorV2", "AnonymousIteratorV3", "IteratorV2",
        "IteratorGetNext", "IteratorGetNextSync", "IteratorGetNextAsOptional", "OptionalGetValue",
        "DatasetToSingleElement",
    }
)  # fmt: skip
"""The ops that hand out a ``tf.data`` pipeline's values (its iterators)."""


def is_dataset_op(op_type: str) -> bool:
    """Whether an op builds or reads a ``tf.data`` pipeline: tf.data runs its functions (``map``
    …) as graphs of its own that no tape records, so no gradient crosses it."""
    return op_type in ITERATOR_OPS or op_type.endswith(_DATASET_SUFFIXES)


_DATASET_SUFFIXES = ("Dataset", "DatasetV2", "DatasetV3", "DatasetV4")
_FLOWING_DTYPES = ("float", "bfloat", "complex", "half", "double")


def carries_gradient(dtype: str | None) -> bool:
    """Whether a gradient can flow through a value of this dtype (unknown dtypes: assume so)."""
    if not dtype:
        return True
    return dtype.startswith(_FLOWING_DTYPES) or dtype in ("resource", "variant")


CROSSING_RANKS = 1 << 48
"""Where the ranks of boundary links start: after every op's and assignment's link, as when
all of those were made before any boundary link."""


class Linker:
    """Makes a dataflow's links event by event, and knows how far a question needs them."""

    def __init__(self, flow: Dataflow) -> None:
        self.flow = flow
        self.events = flow.trace.events
        self.done = 0
        """How many of the timeline's events are linked."""
        self.blocked_inputs = _inputs_without_gradient(flow)
        self.assigned: dict[int, Node] = {}
        """Each variable's latest assignment so far."""
        self.crossings = Crossings(flow.trace)
        self.births = births(flow.trace)
        self.ranks = [0, CROSSING_RANKS]

    def horizon(self, nodes: set[Node]) -> int | None:
        """The last seq whose links a question about ``nodes`` needs; ``None``: every one."""
        if self.births is None:
            return None
        born = self.births
        last = -1
        for node in nodes:
            seq = node[1] if isinstance(node, tuple) else born.get(node, -1)
            last = max(last, seq)
        return last

    def through(self, seq: int | None) -> None:
        """Link every event up to ``seq`` (``None``: the whole timeline)."""
        events, flow = self.events, self.flow
        end = len(events)
        while self.done < end and (seq is None or events[self.done].seq <= seq):
            event = events[self.done]
            self.done += 1
            if type(event) is OpEvent:
                if event.op_type == "MakeIterator" and len(event.inputs) > 1:
                    # The iterator hands out the dataset's values: its reads come from it.
                    self.assigned[event.inputs[1]] = event.inputs[0]
                elif event.op_type in ASSIGN_OPS and len(event.inputs) > 1:
                    _add_assignment(flow, event, event.inputs[0], event.inputs[1], self.assigned)
                else:
                    _add_op(flow, event, self.assigned, self.blocked_inputs)
            elif type(event) is AssignEvent and event.value is not None:
                _add_assignment(flow, event, event.variable, event.value, self.assigned)
            for link in self.crossings.at(event):
                flow.add(link, crossing=True)


def births(trace: Trace) -> dict[Node, int] | None:
    """The seq at which each value first takes part in a link (or could: every value leaving
    TensorFlow counts), or ``None`` when some link would lead into a value that took part in an
    earlier one, or the events are not in seq order.
    """
    born: dict[Node, int] = {}
    last = -1
    for event in trace.events:
        seq = event.seq
        if seq < last:
            return None
        last = seq
        if type(event) is OpEvent:
            if not _op_births(born, event):
                return None
        elif type(event) is AssignEvent and event.value is not None:
            born.setdefault(event.value, seq)
        elif isinstance(event, BoundaryEvent):
            if event.direction == "out":
                born.setdefault(event.tensor, seq)
            elif born.setdefault(event.tensor, seq) != seq:
                return None
    return born


def _op_births(born: dict[Node, int], op: OpEvent) -> bool:
    """Note the op's values; ``False`` when an output took part in a link before."""
    seq = op.seq
    for ref in op.inputs:
        born.setdefault(ref, seq)
    for out in op.outputs:
        if born.setdefault(out, seq) != seq:
            return False
    return True


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
    """One link from each input (and from its variable's latest assignment) to each output.

    Once per op of the whole run: what is the same for every input or output is worked out
    once, and each value's dtype once per op.
    """
    outputs = op.outputs
    if not outputs:
        return
    kind = _OP_CODES.get(op.op_type)
    if kind is None and is_dataset_op(op.op_type):
        kind = "non_differentiable_op"
    outs_float = [carries_gradient(flow.dtype(out)) for out in outputs]
    seq, add = op.seq, flow.add
    for index, ref in enumerate(op.inputs):
        latest = assigned.get(ref)
        ref_float = kind is not None or carries_gradient(flow.dtype(ref))
        no_gradient = kind is None and (op.op, index) in blocked_inputs
        for out, out_float in zip(outputs, outs_float, strict=True):
            code = kind
            if code is None:
                if not (ref_float and out_float):
                    code = "non_float_dtype"
                elif no_gradient:
                    code = "non_differentiable_op"
            add(Link(ref, out, seq, op, code))
            if latest is not None:
                add(Link(latest, out, seq, op, code))


_OP_CODES = {
    **dict.fromkeys(NON_DIFFERENTIABLE_OPS, "non_differentiable_op"),
    **dict.fromkeys(STOP_GRADIENT_OPS, "stop_gradient"),
}
"""The code of every link through an op of these types, whatever its dtypes."""


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
