"""What each partial of a backward step is the derivative of, in the scenario's own names.

In ``y = x*x*x*x`` the step of the last ``Mul`` receives ``∂y/∂y``, multiplies it by the local
partial ``∂y/∂(x*x*x)`` and so gives ``∂y/∂(x*x*x)``; for its other input it gives only the
*contribution to ∂y/∂x through this use of x*: ``x`` is used four times, and ``∂y/∂x`` is the
sum of the four contributions. The step pane and ``report --json`` both name partials here.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import dataclass

from tapetui.explain.backward import InputCheck, StepCheck
from tapetui.trace import BackwardStepEvent, GradientCall, OpEvent, Trace
from tapetui.trace.expressions import TRANSPARENT, fits_name
from tapetui.trace.labels import expression, label, structure_label

_CACHE = "_tapetui_uses"


@functools.lru_cache(maxsize=65536)
def wrt(name: str) -> str:
    """``x``, ``mean(d)``, or ``(x*x*x)`` for an expression, as it reads after ``∂``."""
    return name if fits_name(name) or _one_call(name) else f"({name})"


def _one_call(text: str) -> bool:
    """``square(a - b)``: a name and parentheses that close at the end."""
    opening = text.find("(")
    if opening < 1 or not text.endswith(")") or not fits_name(text[:opening]):
        return False
    depth = 0
    for i in range(opening, len(text)):
        char = text[i]
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return i == len(text) - 1
    return False


def partial(of: str, by: str) -> str:
    """``∂y/∂(x*x*x)``."""
    return f"∂{wrt(of)}/∂{wrt(by)}"


def target_name(trace: Trace, call: GradientCall | None) -> str:
    """What the call differentiates: ``y``, or ``[y1, y2]`` for several targets."""
    if call is None or not call.target_ids:
        return "target"
    if len(call.target_ids) == 1:
        return label(trace, call.target_ids[0])
    return structure_label(trace, call.target)


@dataclass(frozen=True)
class PartialNames:
    """The names of the three partials of one input of a backward step."""

    upstream: str
    """The gradient arriving at the op's output: ``∂y/∂(x*x*x)`` (for a read of a variable
    used more than once, the contribution through this read)."""
    local: str
    """The op's output, written as what the op computed, over this input: ``∂(x*x*x)/∂(x*x)``
    (``∂(x*x)/∂x`` for ``z1 = x*x``); ``""`` for a read or identity, whose output is its
    input."""
    gradient: str
    """What upstream × local is: ``∂y/∂(x*x)`` where the input is used once, else
    ``contribution to ∂y/∂x through this use of x``."""
    contribution: bool
    """True when the input is used more than once, so the product is one term of its sum."""
    letter: str
    """The input's letter in the rule (``a``, ``b``, ``bias``), ``""`` without a rule."""


def names_of(trace: Trace, step: StepCheck, item: InputCheck) -> PartialNames:
    """Name the upstream, the local partial and the product of ``item``'s step."""
    event, op = step.event, step.op
    target = target_name(trace, trace.gradient_calls.get(event.call))
    out = _output_name(trace, event, op, item.index)
    name = label(trace, item.input) if item.input is not None else f"input {item.index}"
    transparent = op is not None and op.op_type in TRANSPARENT
    local = (
        ""
        if transparent or op is None
        else partial(_output_expression(trace, op, item.index), name)
    )
    uses = uses_in_call(trace, event.call).get(same_value(trace, item.input), 0)
    contribution = uses > 1
    gradient = (
        f"contribution to {partial(target, name)} through this use of {name}"
        if contribution
        else partial(target, name)
    )
    upstream = partial(target, out)
    if transparent and contribution:  # a read of x passes on only what this use of x gets
        upstream = gradient
    rule = item.partial.rule if item.partial is not None else ""
    found = re.search(r"/∂(\w+)", rule)
    return PartialNames(upstream, local, gradient, contribution, found.group(1) if found else "")


def _output_name(trace: Trace, event: BackwardStepEvent, op: OpEvent | None, index: int) -> str:
    if op is None or not op.outputs:
        return "out"
    output = index if op.op_type == "IdentityN" and index < len(op.outputs) else 0
    return label(trace, op.outputs[output])


def _output_expression(trace: Trace, op: OpEvent, index: int) -> str:
    """The op's output written as what the op computed (``x*x``), even where it was named."""
    output = index if op.op_type == "IdentityN" and index < len(op.outputs) else 0
    return expression(trace, op.outputs[output]) if op.outputs else "out"


def same_value(trace: Trace, ref: int | None) -> int | None:
    """The value a gradient for ``ref`` reaches in the end: a variable for its reads, the input
    of an ``Identity``."""
    for _ in range(64):
        if ref is None or ref in trace.variables:
            return ref
        tensor = trace.tensors.get(ref)
        if tensor is None:
            return ref
        if tensor.variable is not None:
            return tensor.variable
        op = trace.ops.get(tensor.producer) if tensor.producer is not None else None
        if op is None or op.op_type not in TRANSPARENT or not op.inputs or tensor.name:
            return ref
        index = op.outputs.index(ref) if op.op_type == "IdentityN" and ref in op.outputs else 0
        ref = op.inputs[min(index, len(op.inputs) - 1)]
    return ref


def uses_in_call(trace: Trace, call: int) -> Counter[int | None]:
    """How many gradients flowed into each value in the call's backward pass: one per use of it
    by an op TensorFlow differentiated (reads and identities pass a gradient on, not use it).
    Counted once per call; the steps are indexed by call once per trace."""
    found = trace.__dict__.get(_CACHE)
    if not isinstance(found, _Uses) or not found.fits(trace):
        found = trace.__dict__[_CACHE] = _Uses(trace)
    counts = found.counts.get(call)
    if counts is None:
        counts = found.counts[call] = _count_uses(trace, found.steps.get(call, []))
    return counts


class _Uses:
    def __init__(self, trace: Trace) -> None:
        self.size = (len(trace.events), len(trace.tensors))
        self.ops = trace.ops
        self.steps: dict[int, list[BackwardStepEvent]] = {}
        for event in trace.events:
            if type(event) is BackwardStepEvent:
                self.steps.setdefault(event.call, []).append(event)
        self.counts: dict[int, Counter[int | None]] = {}

    def fits(self, trace: Trace) -> bool:
        return self.ops is trace.ops and self.size == (len(trace.events), len(trace.tensors))


def _count_uses(trace: Trace, steps: list[BackwardStepEvent]) -> Counter[int | None]:
    count: Counter[int | None] = Counter()
    for event in steps:
        op = trace.ops.get(event.op)
        if op is None:
            continue
        for index, ref in enumerate(op.inputs):
            given = index < len(event.produced) and event.produced[index] is not None
            if given and index not in event.skipped and not _passes_on(trace, op, ref):
                count[same_value(trace, ref)] += 1
    return count


def _passes_on(trace: Trace, op: OpEvent, ref: int) -> bool:
    """A read or an identity whose output is the same value as its input: its step hands the
    gradient on rather than adding one."""
    if op.op_type not in TRANSPARENT or not op.outputs:
        return False
    value = same_value(trace, ref)
    return any(same_value(trace, out) == value for out in op.outputs)
