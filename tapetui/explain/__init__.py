"""Why a gradient is None (or NaN): dataflow analysis of a recorded trace, in the scenario's own words.

Pure functions over ``tapetui.trace``; see ``tapetui.explain.whynone`` for the order in which
causes are looked for and which one is reported first.
"""

from __future__ import annotations

import sys
import types

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
from tapetui.explain.missing import MissingGradient, missing_gradients, why_text
from tapetui.explain.nonfinite import NONFINITE_CODES, NonFinite, explain_nonfinite
from tapetui.explain.whynone import PRIORITY
from tapetui.trace.display import DisplayText
from tapetui.trace.model import Trace

__all__ = [
    "CAUSE_CODES",
    "NONFINITE_CODES",
    "NOTE_CODES",
    "PRIORITY",
    "CallExplanation",
    "Cause",
    "Evidence",
    "MissingGradient",
    "NonFinite",
    "Note",
    "explain",
    "explain_call",
    "explain_error",
    "explain_nonfinite",
    "missing_gradients",
    "watch_causes",
    "why_text",
]


class _CallablePackage(types.ModuleType):
    """This package, callable: ``tapetui.explain(trace)`` is the public API's "why None".

    ``tapetui.explain`` must be this package (importing it sets the attribute), so the call is
    answered by the package itself rather than by a function the import would hide.
    """

    def __call__(self, trace: Trace) -> DisplayText:
        """Why each gradient of ``trace`` is ``None``: its cause, the sentence, the fix and the
        evidence lines quoted from the scenario (``why_text``)."""
        return why_text(trace)


sys.modules[__name__].__class__ = _CallablePackage
