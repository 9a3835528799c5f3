"""The summarised part's step rows: read into the same tapes, tensors, calls and events as the
detailed part, and a damaged record adds nothing."""

from __future__ import annotations

from typing import Any

import pytest

from tapetui.trace import GradientCallEvent, TapeEnterEvent, TapeExitEvent, Trace
from tapetui.trace.model import Tape
from tapetui.trace.steps import CALL, ENTER, EXIT, apply_steps
from tapetui.trace.stream import apply_record


def one_step(tape: int = 3, seq: int = 40) -> list[list[Any]]:
    """A training step as the recorder sends it: tape 3 on line 5, ``loss`` on line 7."""
    loss = [100, "float32", [], 0.25, None, "loss"]
    grad_w = [101, "float32", [2, 2], None, [4, [0.5, -0.5], -0.5, 0.5, 0.0, 0, 0, 1.0], None]
    call = [CALL, seq + 2, 9, tape, "gradient", 0, 7, 100, [11, 12], None, "none", False]
    return [
        [ENTER, seq, tape, 0, 5, False, True, None],
        [EXIT, seq + 1, tape, 0, 5, [11, 12]],
        [*call, [101, None], None, [loss, grad_w]],
    ]


def test_a_step_becomes_its_tape_tensors_call_and_events() -> None:
    trace = Trace(scenario="train.py")
    apply_steps(trace, {"files": ["train.py"], "rows": one_step()})
    tape = trace.tapes[3]
    assert (tape.file, tape.line, tape.persistent, tape.watch_accessed_variables) == (
        "train.py",
        5,
        False,
        True,
    )
    assert (tape.enter_seq, tape.exit_seq, tape.watched) == (40, 41, [11, 12])
    call = trace.gradient_calls[9]
    assert (call.tape, call.line, call.seq, call.target_ids) == (3, 7, 42, [100])
    assert (call.source_ids, call.result_ids) == ([11, 12], [101, None])
    loss, grad = trace.tensors[100], trace.tensors[101]
    assert (loss.data, loss.name, loss.file, loss.line) == (0.25, "loss", "train.py", 7)
    assert grad.summary is not None
    assert (grad.summary.size, grad.summary.max, grad.summary.norm) == (4, 0.5, 1.0)
    kinds = [(type(e), e.seq) for e in trace.events]
    assert kinds == [(TapeEnterEvent, 40), (TapeExitEvent, 41), (GradientCallEvent, 42)]


def test_a_tape_recorded_in_detail_keeps_its_record_and_gets_its_enter() -> None:
    trace = Trace(scenario="train.py")
    trace.tapes[3] = Tape(3, "train.py", 4, True, False, label="tape")
    apply_steps(trace, {"files": ["train.py"], "rows": one_step()[:2]})
    tape = trace.tapes[3]
    assert (tape.line, tape.persistent, tape.label) == (4, True, "tape")
    assert (tape.enter_seq, tape.exit_seq) == (40, 41)


def test_a_failed_call_keeps_its_error_and_no_results() -> None:
    trace = Trace(scenario="train.py")
    rows = one_step()
    rows[2][12:14] = [None, ["RuntimeError", "A non-persistent GradientTape can only be used"]]
    apply_steps(trace, {"files": ["train.py"], "rows": rows})
    call = trace.gradient_calls[9]
    assert call.error is not None and (call.error.type, call.error.line) == ("RuntimeError", 7)
    assert call.result_ids == []


@pytest.mark.parametrize(
    "damage",
    [
        lambda rows: rows[2].pop(),
        lambda rows: rows[0].__setitem__(3, 7),  # a file the record does not list
        lambda rows: rows[1].__setitem__(5, ["x"]),
        lambda rows: rows[2][14][0].__setitem__(2, "scalar"),
        lambda rows: rows[2][14][1][4].pop(),
        lambda rows: rows.append([9, 1, 2]),
        lambda rows: rows.insert(0, [EXIT, 1, 77, 0, 5, []]),  # a tape never entered
    ],
)
def test_a_damaged_steps_record_adds_nothing_and_is_counted(damage: Any) -> None:
    trace = Trace(scenario="train.py")
    apply_steps(trace, {"files": ["train.py"], "rows": one_step(tape=1, seq=0)})
    rows = one_step()
    damage(rows)
    apply_record(trace, {"steps": {"files": ["train.py"], "rows": rows}})
    assert trace.meta["unreadable_records"] == 1
    assert sorted(trace.tapes) == [1] and len(trace.events) == 3
