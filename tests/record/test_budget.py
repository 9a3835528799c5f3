"""The recording budget: huge tensors summarised in bounded memory, long runs summarised after
the first tapes or ops, and records that reach the parent while the scenario still runs."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from tapetui.explain import explain_call
from tapetui.record import record
from tapetui.record.budget import Budget
from tapetui.trace.events import GradientCallEvent, OpEvent
from tapetui.trace.jsonio import dumps
from tapetui.trace.model import Trace

HUGE = """\
import tensorflow as tf
x = tf.zeros([100_000_000])
print(float(tf.reduce_sum(x)))
"""

TRAINING_LOOP = """\
import tensorflow as tf
w = tf.Variable(1.0)
for step in range(1, 6):
    with tf.GradientTape() as tape:
        loss = w * w * float(step)
    grad = tape.gradient(loss, w)
    print(float(grad))
"""

NO_TAPE_LOOP = """\
import tensorflow as tf
x = tf.constant(1.0)
for _ in range(10):
    x = x * 2.0
print(float(x))
"""

ONE_LINE_LOOP = """\
import tensorflow as tf
x = tf.constant(1.0)
for _ in range(3): x = x * 2.0
"""

UNUSED_BIAS_LOOP = """\
import tensorflow as tf
w = tf.Variable(1.0)
b = tf.Variable(0.5)
for step in range(4):
    with tf.GradientTape() as tape:
        loss = w * w + (b if step < 3 else 0.0)
    grads = tape.gradient(loss, [w, b])
"""

HELPER_ON_FOUR_LINES = """\
import tensorflow as tf
w = tf.Variable(2.0)
def grad_of(f):
    with tf.GradientTape() as tape:
        loss = f()
    return tape.gradient(loss, w)
a = grad_of(lambda: w * w)
b = grad_of(lambda: w * 3.0)
c = grad_of(lambda: w + 1.0)
d = grad_of(lambda: w * w * w)
"""

EXITS_HARD = """\
import os
import tensorflow as tf
y = tf.constant(3.0) * 2.0
os._exit(4)
"""

SLEEPS_AFTER_AN_OP = """\
import time
import tensorflow as tf
y = tf.constant(3.0) * 2.0
time.sleep(120)
"""


def _record(tmp_path: Path, text: str, budget: Budget | None = None) -> Trace:
    script = tmp_path / "scenario.py"
    script.write_text(text, encoding="utf-8")
    return record(script, timeout=300, budget=budget)


def _ops(trace: Trace, op_type: str) -> list[OpEvent]:
    return [e for e in trace.events if isinstance(e, OpEvent) and e.op_type == op_type]


def test_a_huge_tensor_is_kept_as_a_summary(tmp_path: Path) -> None:
    trace = _record(tmp_path, HUGE)
    assert trace.status == "finished" and trace.output("stdout") == "0.0\n"
    (fill,) = [e for e in trace.events if isinstance(e, OpEvent) and e.line == 2]
    tensor = trace.tensors[fill.outputs[0]]
    assert tensor.data is None and tensor.summary is not None
    assert (tensor.summary.size, tensor.summary.min, tensor.summary.max) == (100_000_000, 0, 0)
    assert tensor.summary.preview == [0.0] * 8
    assert len(dumps(trace)) < 50_000


def test_tapes_past_the_budget_keep_their_gradients_and_values_but_not_their_ops(
    tmp_path: Path,
) -> None:
    trace = _record(tmp_path, TRAINING_LOOP, Budget(tapes=2))
    assert trace.output("stdout") == "2.0\n4.0\n6.0\n8.0\n10.0\n"
    assert sorted(trace.tapes) == [1, 2, 3, 4, 5]
    results = [trace.tensors[c.result_ids[0]].data for c in trace.gradient_calls.values()]
    assert results == [2.0, 4.0, 6.0, 8.0, 10.0]
    assert len([e for e in trace.events if isinstance(e, GradientCallEvent)]) == 5
    summarised = trace.meta["summarised"]
    assert (summarised["reason"], summarised["tapes_in_detail"]) == ("tapes", 2)
    assert all(e.seq < summarised["from_seq"] for e in trace.events if isinstance(e, OpEvent))
    assert len([e for e in _ops(trace, "Mul") if not e.backward and e.line == 5]) == 4
    targets = [trace.tensors[c.target_ids[0]].data for c in trace.gradient_calls.values()]
    assert targets == [1.0, 2.0, 3.0, 4.0, 5.0]  # each step's loss, summarised ones too
    assert trace.meta["budget"]["tapes"] == 2


def test_a_loop_is_summarised_after_its_first_steps(tmp_path: Path) -> None:
    trace = _record(tmp_path, TRAINING_LOOP)
    summarised = trace.meta["summarised"]
    assert (summarised["reason"], summarised["tapes_in_detail"]) == ("repeats", 3)
    assert len([e for e in _ops(trace, "Mul") if not e.backward and e.line == 5]) == 6
    results = [trace.tensors[c.result_ids[0]].data for c in trace.gradient_calls.values()]
    assert results == [2.0, 4.0, 6.0, 8.0, 10.0]


def test_a_helper_called_from_several_lines_is_not_a_loop(tmp_path: Path) -> None:
    trace = _record(tmp_path, HELPER_ON_FOUR_LINES, Budget(repeats=1))
    assert "summarised" not in trace.meta
    grads = [trace.tensors[c.result_ids[0]].data for c in trace.gradient_calls.values()]
    assert grads == [4.0, 3.0, 1.0, 12.0]
    assert [t.line for t in trace.tapes.values()] == [4, 4, 4, 4]


def test_a_none_first_seen_after_the_budget_says_it_was_not_recorded_in_detail(
    tmp_path: Path,
) -> None:
    trace = _record(tmp_path, UNUSED_BIAS_LOOP, Budget(tapes=1))
    calls = sorted(trace.gradient_calls.values(), key=lambda c: c.seq)
    explained = [explain_call(trace, c.id) for c in calls]
    assert [[r is None for r in e.results] for e in explained[:3]] == [[True, True]] * 3
    cause = explained[3].results[1]
    assert explained[3].results[0] is None and cause is not None
    assert cause.code == "not_recorded_in_detail"
    assert "--budget-tapes" in cause.fix and cause.evidence_lines == [7]


def test_a_repeated_none_after_the_budget_keeps_its_cause(tmp_path: Path) -> None:
    trace = _record(tmp_path, UNUSED_BIAS_LOOP.replace("step < 3", "step < 0"), Budget(tapes=2))
    calls = sorted(trace.gradient_calls.values(), key=lambda c: c.seq)
    causes = [explain_call(trace, c.id).results[1] for c in calls]
    assert [c.code if c else None for c in causes] == ["no_path"] * 4
    assert causes[3] is not None and causes[3].sentence.startswith(
        "As in the call recorded in detail on tape 2"
    )
    assert causes[3].evidence_lines == causes[1].evidence_lines


def test_ops_past_the_budget_are_not_recorded(tmp_path: Path) -> None:
    trace = _record(tmp_path, NO_TAPE_LOOP, Budget(ops=4))
    assert trace.output("stdout") == "1024.0\n"
    assert [trace.tensors[e.outputs[0]].data for e in _ops(trace, "Mul")] == [2.0, 4.0, 8.0, 16.0]
    summarised = trace.meta["summarised"]
    assert (summarised["reason"], summarised["ops_in_detail"]) == ("ops", 4)
    assert len([e for e in trace.events if isinstance(e, OpEvent)]) == 4


def test_a_small_value_budget_summarises_small_tensors(tmp_path: Path) -> None:
    trace = _record(
        tmp_path, "import tensorflow as tf\ny = tf.ones([3]) * 2.0\n", Budget(elements=2)
    )
    (mul,) = _ops(trace, "Mul")
    summary = trace.tensors[mul.outputs[0]].summary
    assert summary is not None and (summary.size, summary.mean) == (3, 2.0)
    assert trace.meta["value_budget"] == 2


def test_names_are_found_in_a_loop_on_one_line(tmp_path: Path) -> None:
    trace = _record(tmp_path, ONE_LINE_LOOP)
    assert [trace.tensors[e.outputs[0]].name for e in _ops(trace, "Mul")] == ["x", "x", "x"]


def test_os_exit_keeps_what_ran_before(tmp_path: Path) -> None:
    trace = _record(tmp_path, EXITS_HARD)
    assert (trace.status, trace.exit_code) == ("died", 4)
    (mul,) = _ops(trace, "Mul")
    assert trace.tensors[mul.outputs[0]].data == 6.0


def test_records_reach_the_parent_while_the_scenario_runs(tmp_path: Path) -> None:
    script = tmp_path / "sleeps.py"
    script.write_text(SLEEPS_AFTER_AN_OP, encoding="utf-8")
    cancel = threading.Event()
    seen_at: list[float] = []

    def on_record(record: dict) -> None:
        event = record.get("event", {})
        if event.get("kind") == "op" and event.get("op_type") == "Mul":
            seen_at.append(time.monotonic())
            cancel.set()

    trace = record(script, cancel=cancel, on_record=on_record, timeout=300)
    assert trace.status == "cancelled" and seen_at
    (mul,) = _ops(trace, "Mul")
    assert trace.tensors[mul.outputs[0]].data == 6.0


@pytest.mark.parametrize("field", ["elements", "tapes", "ops", "preview"])
def test_a_negative_budget_is_refused(field: str) -> None:
    with pytest.raises(ValueError, match=f"budget's {field}"):
        Budget(**{field: -1})
