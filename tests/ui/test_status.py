"""The status line's sentence for a finished recording."""

from __future__ import annotations

from pathlib import Path

from tapetui.trace import load
from tapetui.ui.status import status_text

TRACES = Path(__file__).resolve().parent / "traces"


def test_a_summarised_run_says_how_much_is_in_detail() -> None:
    trace = load(TRACES / "linear_regression.json")
    assert status_text(trace) == (
        "linear_regression.py · 100 tapes, 100 gradient calls · ? help",
        "",
    )
    trace.meta["summarised"] = {"reason": "tapes", "from_seq": 400, "tapes_in_detail": 10}
    text, css = status_text(trace)
    assert text == (
        "linear_regression.py · 100 tapes, 100 gradient calls (first 10 tapes in detail) · ? help"
    )
    assert css == ""
