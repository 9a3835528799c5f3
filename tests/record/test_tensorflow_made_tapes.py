"""Tapes TensorFlow makes for its own gradient work (``tf.recompute_grad``'s backward pass,
``tf.autodiff.ForwardAccumulator``'s tangents) are listed as TensorFlow's own, never as tapes the
scenario wrote, and do not count as steps of a loop towards the detail budget."""

from __future__ import annotations

from pathlib import Path

import pytest

from tapetui.explain.pyfunc_tapes import py_function_tape, py_function_tape_short
from tapetui.record.process import record
from tapetui.report.text import render_text
from tapetui.trace import Trace
from tapetui.ui.tapes import tape_lines

SCENARIO = Path(__file__).resolve().parent / "tf_own" / "tensorflow_made_tapes.py"


@pytest.fixture(scope="module")
def trace() -> Trace:
    return record(SCENARIO)


def test_the_scenarios_own_tapes_have_no_origin_and_tensorflows_name_their_maker(
    trace: Trace,
) -> None:
    origins = {t: py_function_tape(trace, t) for t in sorted(trace.tapes)}
    assert [t for t, o in origins.items() if o is None] == [1, 3]
    made = {t: (o.role, o.function, o.line) for t, o in origins.items() if o is not None}
    assert made[2] == ("tensorflow", "inner_recompute_grad", 11)
    assert {made[t] for t in made if t != 2} == {("tensorflow", "_jvp_helper", 15)}
    assert py_function_tape_short(trace, 2) == "TensorFlow's own"


def test_the_report_says_whose_each_tape_is_and_the_gradients_are_tensorflows(
    trace: Trace,
) -> None:
    text = render_text(trace)
    assert "tape 1 · line 9 · non-persistent · watched: x" in text
    assert (
        "tape 2 · line 11 · TensorFlow's own: made by TensorFlow's `inner_recompute_grad`"
    ) in text
    assert "dy/dx = [14.9251, -6.2422]" in text
    assert "dz/dx = [0.2, 4.0]" in text


def test_tensorflows_tapes_do_not_make_a_loop_of_the_scenario(trace: Trace) -> None:
    assert "summarised" not in trace.meta
    assert len(trace.gradient_calls) == 2


def test_the_tapes_pane_says_tensorflow_made_the_tape(trace: Trace) -> None:
    lines = [text for text, _ in tape_lines(trace, trace.tapes[2])]
    assert lines[:2] == [
        "▾ tape 2 · l.11",
        "  TensorFlow's own: made by TensorFlow's `inner_recompute_grad` for its own gradient work",
    ]
    assert [text for text, _ in tape_lines(trace, trace.tapes[1])][
        1
    ] == "  one-shot (not persistent)"
