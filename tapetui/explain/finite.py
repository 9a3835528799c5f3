"""Recorded values as the NaN explainer reads them: which elements are NaN or Inf, one element
of a value, and the scenario's names for an op's inputs."""

from __future__ import annotations

import math
import weakref
from dataclasses import dataclass
from typing import Any

from tapetui.explain.backward import rule_value
from tapetui.explain.causes import Evidence
from tapetui.trace.events import BackwardStepEvent, Event, GradientSumEvent, OpEvent
from tapetui.trace.labels import format_data, label
from tapetui.trace.model import Trace


def is_bad(x: Any) -> bool:
    """A stored element that is NaN or ±Inf (stored as ``"nan"``, ``"inf"``, ``"-inf"``)."""
    if isinstance(x, str):
        return x in ("nan", "inf", "-inf")
    return isinstance(x, float) and not math.isfinite(x)


def flat(data: Any) -> list[Any]:
    if isinstance(data, list):
        return [leaf for item in data for leaf in flat(item)]
    return [data]


def counts(trace: Trace, ref: int | None) -> tuple[int, int]:
    """How many NaN and infinite elements a tensor holds (0, 0 when unknown)."""
    tensor = trace.tensors.get(ref) if ref is not None else None
    if tensor is None:
        return 0, 0
    if tensor.data is None:
        summary = tensor.summary
        return (summary.nan, summary.inf) if summary is not None else (0, 0)
    values = flat(tensor.data)
    nan = sum(1 for x in values if x == "nan" or (isinstance(x, float) and math.isnan(x)))
    return nan, sum(1 for x in values if is_bad(x)) - nan


def nonfinite(trace: Trace, ref: int | None) -> bool:
    return sum(counts(trace, ref)) > 0


def bad_positions(trace: Trace, ref: int | None) -> list[int]:
    tensor = trace.tensors.get(ref) if ref is not None else None
    if tensor is None or tensor.data is None:
        return []
    return [i for i, x in enumerate(flat(tensor.data)) if is_bad(x)]


def element(value: Any, position: int | None) -> Any:
    """Element ``position`` of a value (a single number is the same everywhere)."""
    if value is None or position is None:
        return None
    values = flat(value)
    if len(values) == 1:
        return values[0]
    return values[position] if position < len(values) else None


def as_number(x: Any) -> float | None:
    if isinstance(x, bool) or not isinstance(x, int | float | str):
        return None
    try:
        return float(x)
    except ValueError:
        return None


def at_line(line: int | None, file: str | None = None) -> str:
    from tapetui.explain.context import at  # the one wording of a line (a notebook's cells)

    return at(line, file)


def value_name(trace: Trace, ref: int) -> str:
    """The scenario's name for a value; a variable's read is the variable."""
    tensor = trace.tensors.get(ref)
    if tensor is None:
        return label(trace, ref)
    op = trace.ops.get(tensor.producer) if tensor.producer is not None else None
    if op is not None and op.op_type == "ReadVariableOp" and not tensor.name and op.inputs:
        return label(trace, op.inputs[0])
    return label(trace, ref)


def inputs_text(trace: Trace, op: OpEvent | None, position: int | None) -> str:
    if op is None:
        return "its inputs (not recorded)"
    parts = []
    for ref in op.inputs:
        tensor = trace.tensors.get(ref)
        if tensor is not None and tensor.dtype in ("int32", "int64", "resource", "bool"):
            continue
        value = element(rule_value(trace, ref), position)
        name = value_name(trace, ref)
        if value is not None and not name.startswith("constant "):
            parts.append(f"{name} = {format_data(value)}")
    return ", ".join(parts) or "its inputs"


def step_mark(event: BackwardStepEvent, text: str) -> Evidence:
    return Evidence(event.file, event.line, text, event.seq)


@dataclass
class Index:
    """What the NaN explainer looks up often, built once per trace (and again if it grew)."""

    by_call: dict[int, list[Event]]
    """Each gradient call's backward steps and sums, in the order TensorFlow ran them."""
    consumers: dict[int, list[OpEvent]]
    """The forward ops each tensor is an input of."""


_indexes: dict[int, tuple[weakref.ref[Trace], int, Index]] = {}


def index_of(trace: Trace) -> Index:
    """The trace's index; only the latest trace's is kept (as the explainer's dataflow)."""
    cached = _indexes.get(id(trace))
    if cached is not None and cached[0]() is trace and cached[1] == len(trace.events):
        return cached[2]
    by_call: dict[int, list[Event]] = {}
    consumers: dict[int, list[OpEvent]] = {}
    for event in trace.events:
        if type(event) in (BackwardStepEvent, GradientSumEvent):
            by_call.setdefault(event.call, []).append(event)  # type: ignore[attr-defined]
        elif type(event) is OpEvent and not event.backward:
            for ref in event.inputs:
                consumers.setdefault(ref, []).append(event)
    index = Index(by_call, consumers)
    _indexes.clear()
    _indexes[id(trace)] = (weakref.ref(trace), len(trace.events), index)
    return index
