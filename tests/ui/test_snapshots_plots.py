"""Snapshots of the overview's larger plot (the recorded 100-epoch regression, see make_traces.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tapetui.ui import build_app

TRACES = Path(__file__).resolve().parent / "traces"


def test_overview_plot_of_the_regression(snap_compare: Any) -> None:
    app = build_app([str(TRACES / "linear_regression.json")])
    assert snap_compare(app, press=["v"], terminal_size=(120, 40))
