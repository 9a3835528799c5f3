"""How tensors, gradient calls and their results read on screen; plain Python, no Textual."""

from __future__ import annotations

import math
import os
from typing import TYPE_CHECKING, Any

from tapetui.explain.backward import data_of as data_of  # re-exported for the panes
from tapetui.trace import (
    BackwardStepEvent,
    GradientCall,
    GradientCallEvent,
    GradientSumEvent,
    OpEvent,
    Tensor,
    Trace,
)
from tapetui.trace.cells import short_words
from tapetui.trace.labels import format_data, label, structure_label

if TYPE_CHECKING:
    from tapetui.ui.steps import Step

MAX_WIDTH = 48


def short(text: str, width: int = MAX_WIDTH) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def tensor_of(trace: Trace, ref: int | None) -> Tensor | None:
    return None if ref is None else trace.tensors.get(ref)


def value_text(trace: Trace, ref: int | None) -> str:
    """``9.0``, ``[1.0, 2.0]``, ``[1000] mean 0.5 (0.1…0.9)`` or ``?`` when not kept."""
    if ref is None:
        return "None"
    data = data_of(trace, ref)
    if data is not None:
        return short(format_data(data))
    holder = trace.tensors.get(ref) or trace.variables.get(ref)
    if getattr(holder, "dtype", "") == "resource":
        return "(handle)"
    summary = getattr(holder, "summary", None)
    if summary is None:
        return "?"
    counts = "".join(
        f", {n} {kind}" for kind, n in (("nan", summary.nan), ("inf", summary.inf)) if n
    )
    if summary.mean is None:
        return f"{summary.size} values{counts}"
    return f"{summary.size} values, mean {format_data(summary.mean)}{counts}"


def type_text(trace: Trace, ref: int | None) -> str:
    """``float32 ()`` or ``float32 (2, 3)``."""
    holder = None if ref is None else trace.tensors.get(ref) or trace.variables.get(ref)
    if holder is None:
        return ""
    shape = "?" if holder.shape is None else "(" + ", ".join(map(str, holder.shape)) + ")"
    return f"{holder.dtype} {shape}"


def short_place(trace: Trace, file: str | None, line: int | None) -> str:
    """A line for a narrow pane: ``l.14``, ``c3 l.2`` in a notebook, and ``helper.py l.7`` in
    another of the trace's files (a module the scenario imports)."""
    own = {trace.scenario, trace.notebook.file if trace.notebook else None}
    if line is not None and file is not None and file not in own and file in trace.sources:
        main = {os.path.normpath(f) for f in own if f}
        if os.path.normpath(file) not in main:
            return f"{os.path.basename(file)} l.{line}"
    return short_words(trace.notebook, file, line)


def call_name(trace: Trace, call: GradientCall) -> str:
    """``dz/dx`` for one target and one source, ``d loss/d[W, b]`` for structures."""
    target = structure_label(trace, call.target)
    sources = structure_label(trace, call.sources)
    sep = " " if len(target) > 1 and not target.isidentifier() else ""
    return f"d{sep}{target}/d{sources}"


def source_names(trace: Trace, call: GradientCall) -> list[str]:
    return [label(trace, ref) for ref in call.source_ids]


def norm(data: Any) -> float | None:
    """The L2 norm of a stored value; ``None`` when it is unknown or not numeric."""
    try:
        return math.hypot(*map(_number, _flatten_all(data)))  # no overflow near float64's max
    except (TypeError, ValueError):
        return None


def _flatten_all(data: Any) -> Any:
    if isinstance(data, list):
        for d in data:
            yield from _flatten_all(d)
    else:
        yield data


def _number(x: Any) -> float:
    if x is None or isinstance(x, bool):
        raise TypeError("no value")
    return float(x)


def mean(data: Any) -> float | None:
    """The mean of a stored value; ``None`` when unknown."""
    flat = list(_flatten(data))
    try:
        return sum(float(x) for x in flat) / len(flat) if flat else None
    except (TypeError, ValueError):
        return None


def _flatten(data: Any) -> Any:
    if isinstance(data, list):
        for d in data:
            yield from _flatten(d)
    elif data is not None:
        yield data


def step_name(trace: Trace, step: Step | None) -> str:
    """``Mul``, ``∂Mul``, ``Σx``, ``grad dz/dx``, ``raised``."""
    if step is None:
        return "no steps"
    event = step.event
    if isinstance(event, OpEvent):
        return event.function or event.op_type
    if isinstance(event, BackwardStepEvent):
        return f"∂{event.op_type}"
    if isinstance(event, GradientSumEvent):
        return f"Σ{label(trace, event.tensor)}"
    if isinstance(event, GradientCallEvent):
        call = trace.gradient_calls.get(event.call)
        return f"grad {call_name(trace, call)}" if call else "grad"
    return "raised"
