"""A ``tf.py_function`` whose Python body took its input out of TensorFlow: its gradient is wrong.

TensorFlow differentiates a ``tf.py_function`` by running its Python function under a tape of its
own (the recording shows that tape, entered and exited just before the ``EagerPyFunc`` op, on
the op's line, and notes it as TensorFlow's: ``pyfunc_tapes``). What the function computes in
NumPy or Python is invisible to that tape, so the gradient TensorFlow returns through the op
leaves it out (0 where all of it went through NumPy) — a gradient that is there, but not the
derivative. Found from the recorded events: the
call's backward step through ``EagerPyFunc``, the inner tape, and a value leaving TensorFlow
while that tape was recording.
"""

from __future__ import annotations

from tapetui.explain.context import CallContext
from tapetui.explain.pyfunc_tapes import py_function_tape
from tapetui.explain.wording import how_it_left
from tapetui.trace.events import (
    BoundaryEvent,
    Event,
    OpEvent,
    TapeEnterEvent,
    TapeExitEvent,
)

PY_FUNCTION_OPS = frozenset({"EagerPyFunc", "PyFunc", "PyFuncStateless"})


def py_function_notes(ctx: CallContext) -> list[str]:
    """A sentence for each ``tf.py_function`` the call differentiated whose body left
    TensorFlow."""
    sentences: list[str] = []
    seen: set[int] = set()
    for step in ctx.flow.backward_steps.get(ctx.call.id, []):
        op = ctx.trace.ops.get(step.op)
        if step.op_type not in PY_FUNCTION_OPS or op is None or op.op in seen:
            continue
        seen.add(op.op)
        left = _left_inside(ctx, op)
        if left is not None:
            sentences.append(_sentence(ctx, op, left))
    return sentences


def _left_inside(ctx: CallContext, op: OpEvent) -> BoundaryEvent | None:
    """The first value leaving TensorFlow while the op's own inner tape recorded its body."""
    events = ctx.trace.events
    for tape, tape_events in ctx.flow.tape_events.items():
        made = py_function_tape(ctx.trace, tape)
        if made is not None and made.role != "differentiates":
            continue  # a tape the function made itself, not the one TensorFlow ran it under
        enter = next((e for e in tape_events if isinstance(e, TapeEnterEvent)), None)
        exit_ = next((e for e in tape_events if isinstance(e, TapeExitEvent)), None)
        if enter is None or exit_ is None or not enter.seq < exit_.seq < op.seq:
            continue
        if (enter.file, enter.line) != (op.file, op.line) or _op_between(ctx, exit_, op):
            continue
        for event in _between(events, enter.seq, exit_.seq):
            if isinstance(event, BoundaryEvent) and event.direction == "out":
                return event
    return None


def _op_between(ctx: CallContext, exit_: Event, op: OpEvent) -> bool:
    """Whether another forward op ran between the inner tape's exit and the op itself."""
    return any(
        isinstance(e, OpEvent) and not e.backward
        for e in _between(ctx.trace.events, exit_.seq, op.seq)
    )


def _between(events: list[Event], first: int, last: int) -> list[Event]:
    if 0 <= first < len(events) and events[first].seq == first:
        return events[first + 1 : last]
    return [e for e in events if first < e.seq < last]


def _sentence(ctx: CallContext, op: OpEvent, left: BoundaryEvent) -> str:
    inputs = ", ".join(ctx.name(r) for r in op.inputs) or "its inputs"
    return (
        f"`tf.py_function` in {ctx.statement(op)} ran a Python function that took a value out "
        f"of TensorFlow ({how_it_left(left)} in {ctx.statement(left)}); TensorFlow "
        "differentiates a py_function through the TensorFlow ops of its body only, so the "
        f"gradient it returned for {inputs} leaves out what NumPy or Python computed (0 where "
        "all of it did), which is not the derivative. Write the function with TensorFlow ops, "
        "or give it its gradient with `tf.custom_gradient`."
    )
