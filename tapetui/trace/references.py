"""What a trace's records refer to, checked once when a trace file is read: a damaged or
hand-made file whose events name a gradient call or a tape it does not hold, or that holds one
op twice, is refused with one sentence here instead of failing later in whatever looks it up.

The recorder never writes such a trace: it sends a gradient call before the events that name it
and a tape before its calls, each record whole, so even a trace cut short by a killed recording
holds what its events name. References the recorder itself may leave unresolved (a tensor past
the budget, a variable made outside the scenario, the gradient call an optimizer's warning about
missing gradients follows) are not checked: every reader looks those up with a default.
"""

from __future__ import annotations

from tapetui.trace.checks import TraceFormatError
from tapetui.trace.events import (
    BackwardStepEvent,
    GradientCallEvent,
    GradientSumEvent,
    OpEvent,
)
from tapetui.trace.model import Trace

_NAMING_A_CALL = (GradientCallEvent, BackwardStepEvent, GradientSumEvent)


def check_references(trace: Trace) -> None:
    """Raise TraceFormatError naming the first reference ``trace`` cannot resolve."""
    calls, tapes = trace.gradient_calls, trace.tapes
    for call in calls.values():
        if call.tape not in tapes:
            raise TraceFormatError(
                f"gradient call {call.id} names tape {call.tape}, which the trace does not hold"
            )
    ops = 0
    for event in trace.events:
        kind = type(event)
        if kind is OpEvent:
            ops += 1
        elif kind in _NAMING_A_CALL:
            call = event.call  # type: ignore[attr-defined]
            if call not in calls:
                raise TraceFormatError(
                    f"a {event.kind} event names gradient call {call}, which the trace does not "
                    "hold"
                )
    if ops != len(trace.ops):
        op = _repeated_op(trace)
        raise TraceFormatError(f"op {op} appears more than once in the timeline")


def _repeated_op(trace: Trace) -> int:
    seen: set[int] = set()
    for event in trace.events:
        if type(event) is OpEvent:
            if event.op in seen:
                return event.op
            seen.add(event.op)
    return -1  # not reached: called only when an op is repeated
