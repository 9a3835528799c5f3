"""What the why-None explainer returns: causes, their evidence, notes, and the code vocabulary.

The codes are a public contract (documented in the README, printed by ``tapetui report``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tapetui.explain.nonfinite import NonFinite

CAUSE_CODES: dict[str, str] = {
    "no_path": "nothing the scenario computed from the source reaches the target",
    "left_tensorflow": "the value left TensorFlow (.numpy(), float(), NumPy) on the way to the target",
    "stateful_assign": "the value reached the target only through a variable assign/assign_add/assign_sub",
    "stop_gradient": "tf.stop_gradient sits on every path from the source to the target",
    "non_float_dtype": "an integer/bool/string value is on the path, or the source itself is not floating point",
    "non_differentiable_op": "an op with no gradient (tf.round, tf.argmax, comparisons …) is on every path",
    "not_watched": "the source is a plain tensor the tape never watched",
    "watch_accessed_off": "watch_accessed_variables=False and the variable was not watched explicitly",
    "not_trainable": "the variable has trainable=False, so the tape does not watch it",
    "variable_rebound": "the name now holds a Tensor made from a Variable (x = x + 1), not the Variable",
    "outside_tape": "the computation ran before the tape's with block or after it closed",
    "stop_recording": "the computation ran inside tape.stop_recording()",
    "tape_reset": "tape.reset() erased the recorded computation before the gradient call",
    "other_tape": "another tape recorded the computation, not the one asked",
    "not_recorded_in_detail": "the call ran after the recording budget was spent and no call "
    "recorded in detail explains it: record with a larger --budget-tapes or --budget-repeats",
    "persistent_reuse": "a non-persistent tape was asked for gradients a second time",
    "no_gradient_registered": "TensorFlow has no gradient function registered for an op on the tape",
    "no_gradients_provided": 'an optimizer (apply_gradients, minimize, fit) raised "No gradients '
    'provided for any variable": the gradient call gave None for every variable',
    "watch_rejected": "tape.watch() refused its argument (e.g. a Keras 3 Variable: watch .value)",
    "exception": "the gradient call raised an exception",
    "variable_in_function": "a tf.function creates a tf.Variable at every call: TensorFlow "
    "raises ValueError at the second; create it once, outside",
    "missing_module": "the scenario imports a module that is not installed (ModuleNotFoundError); "
    "for PyTorch: tapetui debugs TensorFlow code only",
}
"""Every cause code, with a one-line meaning (for the README and the help screen)."""

NOTE_CODES: dict[str, str] = {
    "gradient_inside_context": "gradient() was called inside the tape's with block, so the tape "
    "also recorded its own backward pass",
    "non_scalar_target": "the target is not a scalar: the result is the gradient of its sum",
    "zeros_instead_of_none": "unconnected_gradients=ZERO turned a missing gradient into zeros",
    "missing_gradients_warning": "the optimizer warned that gradients do not exist for some "
    "variables (None in this call) and did not update them",
    "no_sources": "the gradient call was given an empty list of sources (a layer's or model's "
    "variables before it was built, or variables it does not track): nothing gets a gradient",
    "py_function_left_tensorflow": "a tf.py_function's Python body took a value out of "
    "TensorFlow: the gradient TensorFlow returned through it leaves that part out (often 0), "
    "so it is not the derivative",
}
"""Remarks about a gradient call that are not causes of a missing gradient."""


@dataclass
class Evidence:
    """One thing that happened in the scenario and helps prove a cause."""

    file: str | None
    line: int | None
    text: str
    """What happened there, e.g. ``y1 = x * x computed outside any tape``."""
    seq: int | None = None
    """The timeline event, for the UI to jump to."""


@dataclass
class Cause:
    """Why one gradient is missing (or why a gradient call raised)."""

    code: str
    sentence: str
    """Plain words naming the scenario's own variables and lines."""
    fix: str
    evidence: list[Evidence] = field(default_factory=list)
    others: list[str] = field(default_factory=list)
    """Other codes that also apply; fixing the primary one alone may not be enough."""

    @property
    def evidence_lines(self) -> list[int]:
        """The scenario lines the evidence points at, in order, without repeats."""
        lines: list[int] = []
        for item in self.evidence:
            if item.line is not None and item.line not in lines:
                lines.append(item.line)
        return lines


@dataclass
class Note:
    """A remark about a gradient call that is not a cause, e.g. a non-scalar target."""

    code: str
    sentence: str


@dataclass
class CallExplanation:
    """Everything the explainer says about one gradient call."""

    call: int
    results: list[Cause | None] = field(default_factory=list)
    """Aligned with ``GradientCall.source_ids``; ``None`` where the gradient is fine."""
    error: Cause | None = None
    """For a call that raised."""
    notes: list[Note] = field(default_factory=list)
    nonfinite: list[NonFinite | None] = field(default_factory=list)
    """Aligned with ``source_ids``: a ``tapetui.explain.nonfinite.NonFinite`` where the gradient
    holds NaN or Inf (why), ``None`` elsewhere; empty for a call that raised."""
