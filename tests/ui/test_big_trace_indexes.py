"""The indexes that keep a big trace instant answer exactly what a plain scan of the trace does."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tapetui.explain import explain
from tapetui.trace import OpEvent, Tape, TapeEnterEvent, TapeExitEvent, Trace, load
from tapetui.ui.steps import BACKWARD, FORWARD, GRADIENT, Stepper, build_steps, open_tape
from tapetui.ui.why import explanations_for, missing_gradients

TRACES = sorted((Path(__file__).resolve().parent / "traces").glob("*.json"))


def _scanned_tapes(trace: Trace) -> list[int | None]:
    """Each step's tape as the debugger first computed it, by scanning every tape per step."""
    tapes: list[int | None] = []
    for step in build_steps(trace):
        event = step.event
        if step.kind in (GRADIENT, BACKWARD, "sum"):
            call = trace.gradient_calls.get(event.call)  # type: ignore[attr-defined]
            tapes.append(call.tape if call else None)
        elif isinstance(event, OpEvent) and event.recorded_by:
            tapes.append(max(event.recorded_by, key=lambda t: trace.tapes[t].enter_seq or 0))
        else:
            tapes.append(open_tape(trace, event.seq))
    return tapes


@pytest.mark.parametrize("path", TRACES, ids=lambda p: p.stem)
def test_each_step_belongs_to_the_same_tape_as_a_full_scan_says(path: Path) -> None:
    trace = load(path)
    assert [s.tape for s in build_steps(trace)] == _scanned_tapes(trace)


def test_the_linear_regression_jumps_land_where_a_scan_of_the_steps_says() -> None:
    stepper = Stepper(load(TRACES[[p.stem for p in TRACES].index("linear_regression")]))
    steps = stepper.steps
    calls = [s.index for s in steps if s.kind == GRADIENT]
    firsts: dict[int, int] = {}
    for s in steps:
        if s.tape is not None:
            firsts.setdefault(s.tape, s.index)
    assert len(calls) == 100 and len(firsts) == 100
    landed = []
    while (step := stepper.next_gradient_call()) is not None:
        landed.append(step.index)
    assert landed == calls
    stepper.first()
    landed = []
    while (step := stepper.next_tape()) is not None:
        landed.append(step.index)
    assert landed == [i for i in sorted(firsts.values()) if i > 0]
    assert stepper.next_tape(forward=False).index == sorted(firsts.values())[-2]  # type: ignore[union-attr]


def test_b_from_a_forward_op_lands_on_its_later_backward_step_and_back() -> None:
    stepper = Stepper(load(TRACES[[p.stem for p in TRACES].index("linear_regression")]))
    forward = next(s for s in stepper.steps if s.kind == FORWARD and s.tape is not None)
    stepper.go(forward.index)
    backward = stepper.partner()
    assert backward is not None and backward.kind == BACKWARD and backward.index > forward.index
    assert backward.event.op == forward.event.op  # type: ignore[attr-defined]
    assert stepper.partner() == forward


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40) | st.none()), max_size=8))
def test_the_open_tape_sweep_agrees_with_a_scan_for_any_nesting(
    spans: list[tuple[int, int | None]],
) -> None:
    trace = Trace(scenario="t.py")
    for i, (enter, length) in enumerate(spans, start=1):
        exit_seq = None if length is None else enter + length
        trace.tapes[i] = Tape(i, "t.py", 1, False, True, enter_seq=enter, exit_seq=exit_seq)
    trace.events = [
        OpEvent(seq=seq, file="t.py", line=1, op=100 + seq, op_type="Mul") for seq in range(60)
    ]
    assert [s.tape for s in build_steps(trace)] == [open_tape(trace, s) for s in range(60)]


def test_an_out_of_order_timeline_still_gets_the_scanned_tapes() -> None:
    trace = Trace(scenario="t.py")
    trace.tapes[1] = Tape(1, "t.py", 1, False, True, enter_seq=0, exit_seq=3)
    trace.events = [
        TapeEnterEvent(seq=0, file="t.py", line=1, tape=1),
        OpEvent(seq=5, file="t.py", line=2, op=1, op_type="Mul"),
        OpEvent(seq=2, file="t.py", line=2, op=2, op_type="Mul"),
        TapeExitEvent(seq=3, file="t.py", line=3, tape=1),
    ]
    assert [s.tape for s in build_steps(trace)] == [None, 1]


@pytest.mark.parametrize("path", TRACES, ids=lambda p: p.stem)
def test_explanations_looked_up_one_by_one_equal_explaining_everything(path: Path) -> None:
    trace = load(path)
    everything = explain(trace)
    lazy = explanations_for(trace)
    assert {call: lazy.get(call) for call in trace.gradient_calls} == everything
    shown = [(m.call, m.index, m.cause) for m in missing_gradients(trace, explanations_for(trace))]
    assert shown == _every_missing(trace, everything)


def test_listing_the_missing_gradients_explains_none_of_them_until_one_is_shown() -> None:
    trace = load(Path(__file__).resolve().parent / "traces" / "none_cases.json")
    explanations = explanations_for(trace)
    missing = missing_gradients(trace, explanations)
    assert [(m.call, m.index) for m in missing] == [(1, 0)]
    assert explanations._known == {}  # nothing explained yet
    assert missing[0].cause.code == "outside_tape"
    assert list(explanations._known) == [1]


def _every_missing(trace: Trace, everything: dict[int, Any]) -> list[tuple[int, Any, Any]]:
    """Missing gradients found by looking at every call's explanation."""
    found: list[tuple[int, Any, Any]] = []
    for call in trace.gradient_calls.values():
        explanation = everything[call.id]
        if call.error is not None:
            found.append((call.id, None, explanation.error))
            continue
        for i, result in enumerate(call.result_ids):
            cause = explanation.results[i] if i < len(explanation.results) else None
            if result is None or cause is not None:
                found.append((call.id, i, cause))
    return found
