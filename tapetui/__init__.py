"""tapetui: a terminal step-debugger for TensorFlow's tf.GradientTape.

From Python (a notebook, a test), without the terminal UI::

    import tapetui

    with tapetui.recording() as trace:   # records the block in this process
        ...
    trace.report()               # the text ``tapetui report`` prints
    trace.missing_gradients()    # every None gradient, with its cause code and sentence
    tapetui.explain(trace)       # why each is None: sentence, fix, evidence lines
    trace.save("trace.json")     # for ``tapetui trace.json``

``tapetui.record_scenario(path)`` records a scenario file in a child process, ``tapetui.load(path)`` reads a
saved trace. Importing ``tapetui`` loads neither TensorFlow nor Textual: each name is imported
when first used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from tapetui import explain as explain
    from tapetui.recorded import (
        MissingGradient as MissingGradient,
    )
    from tapetui.recorded import (
        RecordedTrace as RecordedTrace,
    )
    from tapetui.recorded import load as load
    from tapetui.recorded import record_scenario as record_scenario
    from tapetui.recorded import recording as recording

_PUBLIC = {
    "MissingGradient": "tapetui.recorded",
    "RecordedTrace": "tapetui.recorded",
    "load": "tapetui.recorded",
    "record_scenario": "tapetui.recorded",
    "recording": "tapetui.recorded",
}
"""The public API's names and the module each is imported from when first used."""

__all__ = ["MissingGradient", "RecordedTrace", "explain", "load", "record_scenario", "recording"]


def __getattr__(name: str) -> Any:
    """The public API, imported on first use (``tapetui.explain`` is the callable package)."""
    if name == "explain":
        return importlib.import_module("tapetui.explain")
    if name in _PUBLIC:
        return getattr(importlib.import_module(_PUBLIC[name]), name)
    raise AttributeError(f"module 'tapetui' has no attribute {name!r}")
