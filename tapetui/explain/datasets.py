"""A gradient that stops at a ``tf.data`` pipeline: the source reaches the target only through a
dataset and the values its iterator hands out; and which stop on a path is reported first.

tf.data runs its functions (``map``, ``filter`` …) as graphs of its own that no tape records, so
what comes out of an iterator is a constant to every tape. Found from the recorded ops: the path
from the source to the target goes through dataset ops (``MapDataset`` …) and an iterator's
``IteratorGetNext``; ``linking`` marks those links as having no gradient.
"""

from __future__ import annotations

from tapetui.explain.causes import Cause
from tapetui.explain.context import CallContext
from tapetui.explain.linking import ITERATOR_OPS, is_dataset_op
from tapetui.explain.links import Link
from tapetui.explain.wording import in_order


def is_dataset_link(link: Link) -> bool:
    """Whether gradients stop at this link because it builds or reads a tf.data pipeline."""
    return (
        link.code == "non_differentiable_op"
        and link.op is not None
        and is_dataset_op(link.op.op_type)
    )


def primary_link(path: list[Link]) -> Link:
    """The link whose fix is needed first: the first uncrossable one, except where the value left
    TensorFlow on its way to the target.

    A value that reached the target only through a Python number or NumPy is reported as having
    left TensorFlow, whatever variables were assigned before it left (Keras ``evaluate``
    accumulates the loss in its metrics' variables, then returns a float): keeping the value in
    TensorFlow is the fix, and the assignments are listed with the other causes. A dataset the
    same statement built and then took out of TensorFlow (Keras ``predict`` runs the model on a
    dataset of its input and returns NumPy) is reported as the statement leaving TensorFlow.
    """
    first = next(link for link in path if link.code)
    for link in path:
        if link.code == "left_tensorflow":
            return link
        if link.code and link.code != "stateful_assign":
            break
    if not is_dataset_link(first) or first.op is None:
        return first
    place = (first.op.file, first.op.line)
    for link in path:
        out = link.evidence[0] if link.evidence else None
        if link.code == "left_tensorflow" and out is not None and (out.file, out.line) == place:
            return link
    return first


def through_dataset(ctx: CallContext, source: int, link: Link, path: list[Link]) -> Cause:
    """The cause for a path whose first uncrossable link is a dataset op's."""
    op = link.op
    assert op is not None
    s, t = ctx.name(source), ctx.target_name
    read = next(
        (
            step.op
            for step in reversed(path)
            if step.op is not None and step.op.op_type in ITERATOR_OPS
        ),
        None,
    )
    handed = (
        f" the values its iterator hands out in {ctx.statement(read)} are constants to every tape,"
        if read is not None
        else " what it hands out is a constant to every tape,"
    )
    sentence = (
        f"{s} reaches {t} only through a tf.data pipeline: {op.op_type} in {ctx.statement(op)} "
        "uses it, and tf.data runs its functions (`map`, `filter` …) as graphs of its own that "
        f"no tape records, so{handed} and nothing flows from {t} back to {s}."
    )
    fix = (
        f"Apply {s} to the values after they come out of the dataset, inside the `with` block "
        "of the tape, not in the pipeline's functions; keep tf.data for input work that needs "
        "no gradient."
    )
    evidence = [
        ctx.origin(source),
        ctx.evidence(op, f"{op.op_type}: the gradient stops here"),
        ctx.evidence(read, "the dataset's values come out here") if read is not None else None,
        ctx.call_evidence(),
    ]
    return Cause(
        "non_differentiable_op",
        sentence[0].upper() + sentence[1:],
        fix,
        in_order([e for e in evidence if e is not None]),
    )
