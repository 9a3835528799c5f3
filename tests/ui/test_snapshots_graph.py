"""Snapshots of the graph view (``d``), fed from the committed traces (see make_traces.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tapetui.ui import build_app
from tapetui.ui.app import TapeTuiApp

TRACES = Path(__file__).resolve().parent / "traces"


def trace_app(name: str) -> TapeTuiApp:
    return build_app([str(TRACES / f"{name}.json")])


def test_graph_of_dz_dx(snap_compare: Any) -> None:
    """persistent.py's dz/dx: x used twice (4.0 on each edge, 8.0 summed), z2 folded."""
    assert snap_compare(trace_app("persistent"), press=["d", "down"], terminal_size=(120, 40))


def test_graph_of_dz_dx_small_terminal(snap_compare: Any) -> None:
    assert snap_compare(trace_app("persistent"), press=["d", "down"], terminal_size=(80, 24))


def test_graph_of_a_none(snap_compare: Any) -> None:
    """none_cases.py's dy1/dx: the link outside the tape, red, with the cause's words."""
    assert snap_compare(trace_app("none_cases"), press=["d"], terminal_size=(120, 40))


def test_graph_of_a_none_small_terminal(snap_compare: Any) -> None:
    assert snap_compare(trace_app("none_cases"), press=["d"], terminal_size=(80, 24))
