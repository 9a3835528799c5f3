"""The timeline: one dataclass per kind of thing that happened while the scenario ran.

Every event has ``seq`` (its position in the timeline, from 0), and the scenario ``file`` and
``line`` it happened on (``None`` when no scenario frame was on the stack).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar


@dataclass(slots=True)
class Event:
    seq: int
    file: str | None
    line: int | None
    kind: ClassVar[str] = "event"


@dataclass(slots=True)
class TapeEnterEvent(Event):
    """A tape's ``with`` block started (details in ``Trace.tapes``)."""

    tape: int = 0
    kind: ClassVar[str] = "tape_enter"


@dataclass(slots=True)
class TapeExitEvent(Event):
    """A tape's ``with`` block ended."""

    tape: int = 0
    kind: ClassVar[str] = "tape_exit"


@dataclass(slots=True)
class WatchItem:
    """One thing passed to ``watch()`` and what the tape made of it."""

    ref: int | None
    """Tensor or variable id; ``None`` when it was neither."""
    label: str
    status: str
    """``watched`` or ``ignored``."""
    reason: str | None = None
    """Why it was ignored, e.g. ``int32 is not a floating-point dtype``."""


@dataclass(slots=True)
class WatchEvent(Event):
    """A ``tape.watch(...)`` call; also the automatic watch of a variable read on the tape."""

    tape: int = 0
    items: list[WatchItem] = field(default_factory=list)
    explicit: bool = True
    """False for an automatic watch (a trainable variable accessed with watch_accessed_variables)."""
    empty: bool = False
    """True when ``watch()`` was given an empty structure (e.g. an unbuilt layer's variables)."""
    error: str | None = None
    """The exception message when ``watch()`` raised (e.g. a Keras Variable)."""
    kind: ClassVar[str] = "watch"


@dataclass(slots=True)
class StopRecordingEvent(Event):
    """``with tape.stop_recording():`` began."""

    tape: int = 0
    kind: ClassVar[str] = "stop_recording"


@dataclass(slots=True)
class ResumeRecordingEvent(Event):
    """The ``stop_recording()`` block ended."""

    tape: int = 0
    kind: ClassVar[str] = "resume_recording"


@dataclass(slots=True)
class TapeResetEvent(Event):
    """``tape.reset()``: everything recorded so far was dropped."""

    tape: int = 0
    kind: ClassVar[str] = "tape_reset"


@dataclass(slots=True)
class OpEvent(Event):
    """An eager op TensorFlow executed (a ``tf.function`` call is one op)."""

    op: int = 0
    op_type: str = ""
    inputs: list[int] = field(default_factory=list)
    outputs: list[int] = field(default_factory=list)
    recorded_by: list[int] = field(default_factory=list)
    """Ids of the tapes that recorded this op."""
    function: str | None = None
    """For a ``tf.function`` call, the function's name."""
    backward: bool = False
    """True when the op ran inside a gradient computation (part of a backward step)."""
    attrs: dict[str, str] = field(default_factory=dict)
    """A few readable attributes (``T``, ``DstT``, ``transpose_a`` …)."""
    library: str | None = None
    """The library frame the op ran in, below the scenario's line:
    ``keras/src/layers/core/dense.py:144 · Dense.call`` (``None`` when the scenario ran it)."""
    layer: str | None = None
    """The Keras layer it belongs to (``dense_1``): the innermost one being called."""
    thread: str | None = None
    """The name of the thread that ran it, when not the main thread."""
    kind: ClassVar[str] = "op"


@dataclass(slots=True)
class BoundaryEvent(Event):
    """A value left TensorFlow (``.numpy()``, ``float()``, NumPy) or entered it without an op."""

    tensor: int = 0
    direction: str = "out"
    """``out`` (TensorFlow → Python/NumPy) or ``in`` (constant / NumPy array → tensor)."""
    how: str = ""
    """``numpy``, ``float``, ``int``, ``bool``, ``array``, ``constant``, ``convert`` …"""
    kind: ClassVar[str] = "boundary"


@dataclass(slots=True)
class VariableCreatedEvent(Event):
    variable: int = 0
    kind: ClassVar[str] = "variable_created"


@dataclass(slots=True)
class AssignEvent(Event):
    """``assign``/``assign_add``/``assign_sub``: the variable's value was replaced in place."""

    variable: int = 0
    method: str = "assign"
    value: int | None = None
    """Id of the tensor assigned from, where it was a tensor."""
    kind: ClassVar[str] = "assign"


@dataclass(slots=True)
class GradientCallEvent(Event):
    """``tape.gradient``/``jacobian``/``batch_jacobian`` returned or raised."""

    call: int = 0
    kind: ClassVar[str] = "gradient_call"


@dataclass(slots=True)
class BackwardStepEvent(Event):
    """TensorFlow ran one op's gradient function during a gradient call.

    ``file``/``line`` are those of the forward op it differentiates.
    """

    call: int = 0
    op: int = 0
    """The forward op being differentiated."""
    op_type: str = ""
    upstream: list[int | None] = field(default_factory=list)
    """Per forward output: the gradient tensor arriving there (``None`` = no gradient)."""
    produced: list[int | None] = field(default_factory=list)
    """Per forward input: the gradient this step produced for it (``None`` = none/skipped)."""
    skipped: list[int] = field(default_factory=list)
    """Indices of forward inputs TensorFlow did not need a gradient for."""
    custom: bool = False
    """TensorFlow ran the scenario's ``tf.custom_gradient`` function here, not the op's own
    registered gradient."""
    kind: ClassVar[str] = "backward_step"


@dataclass(slots=True)
class GradientSumEvent(Event):
    """Several backward contributions to one tensor were added up."""

    call: int = 0
    tensor: int = 0
    """The forward tensor (or variable) receiving the contributions."""
    contributions: list[int] = field(default_factory=list)
    """Gradient tensor ids that were summed."""
    total: int | None = None
    """Id of the summed gradient tensor, where TensorFlow produced one we saw."""
    kind: ClassVar[str] = "gradient_sum"


@dataclass(slots=True)
class MissingGradientsEvent(Event):
    """A Keras optimizer (``apply_gradients``, ``minimize``, ``fit``'s step) was given ``None``
    gradients: it raised "No gradients provided for any variable" (all of them) or warned
    "Gradients do not exist for variables …" (some) and skipped those variables."""

    call: int | None = None
    """The gradient call whose results these are (the last one on the same thread whose results
    are the optimizer's gradients), where it was recorded."""
    variables: list[int] = field(default_factory=list)
    """The variables the optimizer was asked to update, in its order."""
    gradients: list[int | None] = field(default_factory=list)
    """The gradient it was given for each variable (``None`` = no gradient)."""
    outcome: str = "warned"
    """``raised`` (no gradient at all: ``ValueError``) or ``warned`` (some are missing)."""
    message: str = ""
    """The exception's message, when it raised."""
    kind: ClassVar[str] = "missing_gradients"


@dataclass(slots=True)
class OutputEvent(Event):
    """Text the scenario printed."""

    stream: str = "stdout"
    text: str = ""
    kind: ClassVar[str] = "output"


@dataclass(slots=True)
class ErrorEvent(Event):
    """The scenario raised (details in ``Trace.error``)."""

    type: str = ""
    message: str = ""
    kind: ClassVar[str] = "error"


EVENT_TYPES: dict[str, type[Event]] = {
    cls.kind: cls
    for cls in (
        TapeEnterEvent,
        TapeExitEvent,
        WatchEvent,
        StopRecordingEvent,
        ResumeRecordingEvent,
        TapeResetEvent,
        OpEvent,
        BoundaryEvent,
        VariableCreatedEvent,
        AssignEvent,
        GradientCallEvent,
        BackwardStepEvent,
        GradientSumEvent,
        MissingGradientsEvent,
        OutputEvent,
        ErrorEvent,
    )
}

TAPE_EVENT_TYPES: frozenset[type[Event]] = frozenset(
    cls for cls in EVENT_TYPES.values() if "tape" in cls.__dataclass_fields__
)
"""The kinds of event that belong to one tape (its enter, watches, stop/resume, reset, exit)."""
