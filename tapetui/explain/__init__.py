"""Why a gradient is None (or NaN): dataflow analysis of a recorded trace, in the scenario's own words.

Pure functions over ``tapetui.trace``; see ``tapetui.explain.whynone`` for the order in which
causes are looked for and which one is reported first.
"""

from __future__ import annotations

from tapetui.explain.causes import (
    CAUSE_CODES,
    NOTE_CODES,
    CallExplanation,
    Cause,
    Evidence,
    Note,
)
from tapetui.explain.errors import watch_causes
from tapetui.explain.explainer import explain, explain_call, explain_error
from tapetui.explain.nonfinite import NONFINITE_CODES, NonFinite, explain_nonfinite
from tapetui.explain.whynone import PRIORITY

__all__ = [
    "CAUSE_CODES",
    "NONFINITE_CODES",
    "NOTE_CODES",
    "PRIORITY",
    "CallExplanation",
    "Cause",
    "Evidence",
    "NonFinite",
    "Note",
    "explain",
    "explain_call",
    "explain_error",
    "explain_nonfinite",
    "watch_causes",
]
