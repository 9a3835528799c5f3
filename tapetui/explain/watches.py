"""What a tape really watches: the sources whose values it records, apart from the variables
TensorFlow lists in ``watched_variables()`` but records nothing for (an integer variable)."""

from __future__ import annotations

from tapetui.explain.dataflow import carries_gradient
from tapetui.trace import Tape, Trace


def dtype_of(trace: Trace, ref: int) -> str | None:
    """A variable's dtype (not ``resource``), else the tensor's; ``None`` when unknown."""
    var = trace.variables.get(ref)
    if var is not None:
        return var.dtype
    tensor = trace.tensors.get(ref)
    if tensor is None:
        return None
    if tensor.variable is not None and tensor.variable in trace.variables:
        return trace.variables[tensor.variable].dtype
    return tensor.dtype


def recorded_watches(trace: Trace, tape: Tape) -> list[int]:
    """The watched sources whose values the tape can record (floating point)."""
    return [ref for ref in tape.watched if carries_gradient(dtype_of(trace, ref))]


def unrecorded_watches(trace: Trace, tape: Tape) -> list[int]:
    """Watched in TensorFlow's list, but of a dtype the tape never records (``tf.Variable(2)``)."""
    return [ref for ref in tape.watched if not carries_gradient(dtype_of(trace, ref))]
