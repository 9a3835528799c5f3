"""Snapshots of each main view, fed from trace files recorded by tapetui (see make_traces.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tapetui.trace import load
from tapetui.ui import build_app
from tapetui.ui.app import TapeTuiApp
from tapetui.ui.steps import build_steps

ROOT = Path(__file__).resolve().parents[2]
TRACES = Path(__file__).resolve().parent / "traces"
SIZE = (120, 40)


def trace_app(name: str) -> TapeTuiApp:
    return build_app([str(TRACES / f"{name}.json")])


def presses_to(name: str, op: str, line: int) -> list[str]:
    """The presses from step 1 (``home``, then ``n``) to the forward ``op`` on ``line``."""
    steps = build_steps(load(TRACES / f"{name}.json"))
    index = next(
        s.index
        for s in steps
        if s.kind == "forward" and getattr(s.event, "op_type", "") == op and s.line == line
    )
    return ["home", *["n"] * index]


def test_scenario_picker(snap_compare: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    app = build_app(["scenarios/basic.py", "scenarios/persistent.py", "scenarios/none_cases.py"])
    assert snap_compare(app, terminal_size=(80, 24))


def test_forward_step(snap_compare: Any) -> None:
    assert snap_compare(
        trace_app("persistent"), press=presses_to("persistent", "Mul", 14), terminal_size=SIZE
    )


def test_forward_step_small_terminal(snap_compare: Any) -> None:
    assert snap_compare(
        trace_app("persistent"), press=presses_to("persistent", "Mul", 14), terminal_size=(80, 24)
    )


def test_backward_step(snap_compare: Any) -> None:
    assert snap_compare(
        trace_app("persistent"),
        press=[*presses_to("persistent", "Mul", 14), "b"],
        terminal_size=SIZE,
    )


def test_why_none(snap_compare: Any) -> None:
    assert snap_compare(trace_app("none_cases"), press=["w"], terminal_size=SIZE)


def test_many_tape_overview(snap_compare: Any) -> None:
    assert snap_compare(trace_app("linear_regression"), press=["v"], terminal_size=SIZE)


def test_help(snap_compare: Any) -> None:
    assert snap_compare(trace_app("persistent"), press=["question_mark"], terminal_size=SIZE)


def test_scenario_that_raised(snap_compare: Any) -> None:
    assert snap_compare(trace_app("raises"), terminal_size=SIZE)


def test_scenario_without_a_tape(snap_compare: Any) -> None:
    assert snap_compare(trace_app("no_tape"), terminal_size=(80, 24))
