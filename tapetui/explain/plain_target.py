"""A gradient call that raised because its target is a Python number or a NumPy array.

``tape.gradient(loss, …)`` with ``loss = model.evaluate(x, y)`` (a Python float) or ``loss =
t.numpy()`` raises (``TypeError: Cannot convert … to a TensorFlow DType``): the target left
TensorFlow before the call, and a tape differentiates only tensors it recorded. The recorder
keeps such a target under a synthetic id with no producer; where it left is found from the
recorded values: the last value before the call that left TensorFlow holding its number (through
``.numpy()``, ``float()`` …), or the last eager result nothing used that holds it (NumPy reads a
tensor through the buffer protocol, which no hook sees: Keras ``evaluate`` does so).
"""

from __future__ import annotations

from tapetui.explain.causes import Cause, Evidence
from tapetui.explain.context import CallContext
from tapetui.explain.values import value_keys
from tapetui.explain.wording import how_it_left, in_order
from tapetui.trace.events import BoundaryEvent, Event, OpEvent
from tapetui.trace.model import Tensor


def plain_target_cause(ctx: CallContext, asked: Evidence) -> Cause | None:
    """``left_tensorflow`` for a call whose target is a plain Python/NumPy value, with where it
    left when the recording shows it; ``None`` when the target is a tensor."""
    trace, call = ctx.trace, ctx.call
    plain = [trace.tensors[ref] for ref in call.target_ids if _is_plain(ctx, ref)]
    if not plain or len(plain) != len(call.target_ids):
        return None
    target = plain[0]
    value = "" if target.data is None else f" {target.data}"
    tape = ctx.tape_name.strip("`")
    sentence = (
        f"`{tape}.{call.method}` at {ctx.trace.line_words(call.line, call.file)} raised "
        f"{call.error.type if call.error else 'an error'} because its target is the "
        f"Python/NumPy value{value} ({target.dtype}), not a tensor: "
    )
    left, ref = _where_it_left(ctx, target)
    evidence = [asked]
    if left is None:
        sentence += "it left TensorFlow before the call"
    elif isinstance(left, BoundaryEvent):
        sentence += f"it left TensorFlow through {how_it_left(left)} in {ctx.statement(left)}"
        evidence.append(ctx.evidence(left, "the target left TensorFlow here"))
    else:
        sentence += (
            f"{ctx.name(ref)}, made in {ctx.statement(left)}, holds its value and "
            "was read by NumPy (`np.asarray`, `np.array` or a NumPy function), which hands "
            "back a NumPy array or a Python number"
        )
        evidence.append(ctx.evidence(left, "the target's value left TensorFlow here"))
    sentence += "; a tape differentiates only tensors it recorded."
    fix = (
        "Keep the target a tensor computed inside the tape with TensorFlow ops: call the model "
        "and the loss function (`loss_fn(y, model(x))`) instead of `model.evaluate` or "
        "`model.predict`, and no `.numpy()`, `float()` or `np.*` on the way."
    )
    return Cause("left_tensorflow", sentence, fix, in_order(evidence))


def _is_plain(ctx: CallContext, ref: int) -> bool:
    tensor = ctx.trace.tensors.get(ref)
    return (
        ref < 0
        and ref not in ctx.trace.variables
        and tensor is not None
        and tensor.producer is None
    )


def _where_it_left(ctx: CallContext, target: Tensor) -> tuple[Event | None, int | None]:
    """The last event before the call where the target's value left TensorFlow, and the value
    that left."""
    keys = set(value_keys(target, derived=False))
    if not keys:
        return None, None
    trace = ctx.trace
    used = {ref for op in trace.ops.values() for ref in op.inputs}
    for event in reversed(trace.events):
        if event.seq >= ctx.call.seq:
            continue
        if isinstance(event, BoundaryEvent) and event.direction == "out":
            if keys.intersection(value_keys(trace.tensors.get(event.tensor), derived=False)):
                return event, event.tensor
        elif isinstance(event, OpEvent) and not event.backward and event.function is None:
            for ref in event.outputs:
                tensor = trace.tensors.get(ref)
                if ref in used or tensor is None or not tensor.dtype.startswith("float"):
                    continue
                if keys.intersection(value_keys(tensor, derived=False)):
                    return event, ref
    return None, None
