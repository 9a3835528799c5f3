"""Readable names for what a trace refers to, in the scenario's own words where it has them."""

from __future__ import annotations

from typing import Any

from tapetui.trace.model import Trace


def label(trace: Trace, ref: int | None) -> str:
    """``z`` where the scenario bound a name, else ``Variable 'weight'``, ``Mul:0``, ``tensor #7``."""
    if ref is None:
        return "None"
    var = trace.variables.get(ref)
    if var is not None:
        return var.pyname or f"Variable '{var.name}'"
    tensor = trace.tensors.get(ref)
    if tensor is None:
        return f"tensor #{ref}"
    if tensor.name:
        return tensor.name
    if tensor.variable is not None and tensor.variable in trace.variables:
        return label(trace, tensor.variable)
    op = trace.ops.get(tensor.producer) if tensor.producer is not None else None
    if op is not None and ref in op.outputs:
        return f"{op.function or op.op_type}:{op.outputs.index(ref)}"
    if tensor.producer is None:
        return (
            f"constant {format_data(tensor.data)}" if tensor.data is not None else f"tensor #{ref}"
        )
    return f"tensor #{ref}"


def structure_label(trace: Trace, structure: Any) -> str:
    """Label of a nested structure of refs: ``[W, b]``, ``{'w': W}``."""
    if isinstance(structure, list):
        return "[" + ", ".join(structure_label(trace, s) for s in structure) + "]"
    if isinstance(structure, dict):
        return (
            "{"
            + ", ".join(f"{k!r}: {structure_label(trace, v)}" for k, v in structure.items())
            + "}"
        )
    return label(trace, structure)


def format_data(data: Any, digits: int = 6) -> str:
    """A captured value as a user reads it: ``8.0``, ``[1.0, 2.0]``, ``nan``."""
    if isinstance(data, list):
        return "[" + ", ".join(format_data(d, digits) for d in data) + "]"
    if isinstance(data, bool):
        return str(data)
    if isinstance(data, float):
        return f"{data:.{digits}g}" if not data.is_integer() or abs(data) >= 1e16 else f"{data:.1f}"
    return str(data)
