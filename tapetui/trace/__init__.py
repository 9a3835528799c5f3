"""The trace data model and its JSON format; imports nothing else of tapetui."""

from __future__ import annotations

from tapetui.trace.checks import TraceFormatError
from tapetui.trace.events import (
    AssignEvent,
    BackwardStepEvent,
    BoundaryEvent,
    ErrorEvent,
    Event,
    GradientCallEvent,
    GradientSumEvent,
    MissingGradientsEvent,
    OpEvent,
    OutputEvent,
    ResumeRecordingEvent,
    StopRecordingEvent,
    TapeEnterEvent,
    TapeExitEvent,
    TapeResetEvent,
    VariableCreatedEvent,
    WatchEvent,
    WatchItem,
)
from tapetui.trace.jsonio import save
from tapetui.trace.model import (
    FORMAT_VERSION,
    ErrorInfo,
    GradientCall,
    Tape,
    Tensor,
    Trace,
    ValueSummary,
    Variable,
)
from tapetui.trace.opening import load

__all__ = [
    "FORMAT_VERSION",
    "AssignEvent",
    "BackwardStepEvent",
    "BoundaryEvent",
    "ErrorEvent",
    "ErrorInfo",
    "Event",
    "GradientCall",
    "GradientCallEvent",
    "GradientSumEvent",
    "MissingGradientsEvent",
    "OpEvent",
    "OutputEvent",
    "ResumeRecordingEvent",
    "StopRecordingEvent",
    "Tape",
    "TapeEnterEvent",
    "TapeExitEvent",
    "TapeResetEvent",
    "Tensor",
    "Trace",
    "TraceFormatError",
    "ValueSummary",
    "Variable",
    "VariableCreatedEvent",
    "WatchEvent",
    "WatchItem",
    "load",
    "save",
]
