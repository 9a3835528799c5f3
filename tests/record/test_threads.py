"""A scenario's threads: every tape and gradient call of every thread is recorded, with the values
plain TensorFlow gives, each named by its thread; a tape records only its own thread's ops."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from tapetui.record import record
from tapetui.record.budget import Budget
from tapetui.report import render_json, render_text
from tapetui.trace import Trace, load
from tapetui.trace.checks import TraceFormatError
from tapetui.trace.events import OpEvent
from tapetui.trace.jsonio import dumps, trace_from_dict
from tapetui.trace.steps import apply_steps
from tapetui.ui.describe import describe_call
from tapetui.ui.status import status_text
from tapetui.ui.tapes import tape_lines

# 4 threads x 50 gradient calls, and one on the main thread while they run.
THREADS = """\
import json
import threading

import tensorflow as tf

results = {}


def work(worker: int) -> None:
    w = tf.Variable(float(worker + 1))
    got = []
    for i in range(50):
        x = tf.constant(float(i))
        with tf.GradientTape() as tape:
            y = w * w * x + x
        got.append(float(tape.gradient(y, w)))
    results[threading.current_thread().name] = got


threads = [threading.Thread(target=work, args=(n,), name=f"worker-{n}") for n in range(4)]
for t in threads:
    t.start()
v = tf.Variable(3.0)
with tf.GradientTape() as tape:
    z = v * v
results["main"] = [float(tape.gradient(z, v))]
for t in threads:
    t.join()
print(json.dumps(results, sort_keys=True))
"""

LATE = """\
import _thread
import time

import tensorflow as tf

done = []


def work() -> None:
    x = tf.constant(2.0) * 1.0  # before any tape: not seen
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * x
    done.append(float(tape.gradient(y, x)))


_thread.start_new_thread(work, ())
while not done:
    time.sleep(0.01)
print(done[0])
"""

FULL_DETAIL = Budget(tapes=0, repeats=0, ops=0)


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("threads") / "threads.py"
    path.write_text(THREADS, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def plain(scenario: Path) -> dict[str, list[float]]:
    done = subprocess.run(
        [sys.executable, str(scenario)],
        capture_output=True, text=True, timeout=180, stdin=subprocess.DEVNULL, check=True,
    )  # fmt: skip
    return json.loads(done.stdout)


@pytest.fixture(scope="module", params=["default budget", "full detail"])
def trace(request: pytest.FixtureRequest, scenario: Path) -> Trace:
    budget = None if request.param == "default budget" else FULL_DETAIL
    # Through the trace file, as a user gets it.
    return trace_from_dict(json.loads(dumps(record(scenario, budget=budget, timeout=300))))


def _results_by_thread(trace: Trace) -> dict[str, list[float]]:
    got: dict[str, list[float]] = defaultdict(list)
    for call in sorted(trace.gradient_calls.values(), key=lambda c: c.seq):
        (result,) = call.result_ids
        assert result is not None
        got[call.thread or "main"].append(float(trace.tensors[result].data))
    return dict(got)


def test_every_gradient_call_of_every_thread_is_recorded(trace: Trace) -> None:
    assert trace.status == "finished"
    assert len(trace.gradient_calls) == 201
    assert len(trace.tapes) == 201
    assert not trace.meta.get("internal_errors")
    assert not trace.meta.get("tf_disagreements")  # each op's tapes as TensorFlow says


def test_each_call_has_the_value_plain_tensorflow_gives_on_its_thread(
    trace: Trace, plain: dict[str, list[float]]
) -> None:
    assert plain["worker-2"][:3] == [0.0, 6.0, 12.0]  # 2 * w * x with w = 3
    assert _results_by_thread(trace) == plain


def test_each_tape_is_named_by_the_thread_that_made_it(trace: Trace) -> None:
    calls = list(trace.gradient_calls.values())
    for call in calls:
        assert trace.tapes[call.tape].thread == call.thread
    assert {c.thread for c in calls} == {"worker-0", "worker-1", "worker-2", "worker-3", None}


def test_a_tape_records_only_the_ops_of_its_own_thread(scenario: Path) -> None:
    trace = record(scenario, budget=FULL_DETAIL, timeout=300)
    ops = [e for e in trace.events if isinstance(e, OpEvent)]
    assert {op.thread for op in ops} >= {"worker-0", "worker-3", None}
    recorded = [op for op in ops if op.recorded_by and not op.backward]
    assert len(recorded) >= 201 * 2  # w * w and its product with x, at least, on every tape
    for op in recorded:
        assert {trace.tapes[t].thread for t in op.recorded_by} == {op.thread}


def test_the_thread_is_shown_for_tapes_calls_and_in_the_report(trace: Trace) -> None:
    call = next(c for c in trace.gradient_calls.values() if c.thread == "worker-1")
    assert "thread worker-1" in tape_lines(trace, trace.tapes[call.tape])[0][0]
    text = render_text(trace)
    assert (
        f"gradient call {call.id} · line {call.line} · tape {call.tape} · thread worker-1" in text
    )
    main = next(c for c in trace.gradient_calls.values() if c.thread is None)
    assert f"gradient call {main.id} · line {main.line} · tape {main.tape} · gradient" in text
    calls = json.loads(render_json(trace))["gradient_calls"]
    assert {c["thread"] for c in calls} == {"worker-0", "worker-1", "worker-2", "worker-3", None}


def test_the_step_pane_names_the_thread_of_a_call(trace: Trace) -> None:
    from tapetui.trace.events import GradientCallEvent
    from tapetui.ui.steps import Stepper

    stepper = Stepper(trace)
    call = next(c for c in trace.gradient_calls.values() if c.thread == "worker-3")
    event = next(e for e in trace.events if isinstance(e, GradientCallEvent) and e.call == call.id)
    step = next(s for s in stepper.steps if s.event is event)
    (line, _), *_ = [row for row in describe_call(trace, step, event, None) if "on tape" in row[0]]
    assert line.endswith("· thread worker-3")


def test_a_thread_not_started_by_threading_is_said_to_be_seen_late(tmp_path: Path) -> None:
    path = tmp_path / "late.py"
    path.write_text(LATE, encoding="utf-8")
    trace = record(path, budget=FULL_DETAIL, timeout=300)
    assert trace.status == "finished"
    (call,) = trace.gradient_calls.values()
    assert trace.tensors[call.result_ids[0]].data == 4.0
    (late,) = trace.meta["threads_seen_late"]
    assert call.thread == late
    assert f"ops of thread {late} before its first tape were not recorded" in status_text(trace)[0]
    assert f"thread {late} was not started through threading" in render_text(trace)


def test_traces_without_threads_load_as_the_main_thread(tmp_path: Path) -> None:
    older = Path(__file__).resolve().parents[1] / "ui" / "traces"
    trace = load(next(iter(sorted(older.glob("*.json")))))
    assert all(t.thread is None for t in trace.tapes.values())
    assert all(c.thread is None for c in trace.gradient_calls.values())


def test_summarised_rows_carry_the_thread_and_old_rows_still_read() -> None:
    enter = [0, 0, 1, 0, 3, False, True, None]
    call = [2, 1, 1, 1, "gradient", 0, 5, 10, [11], None, "none", False, [12], None, []]
    trace = Trace(scenario="t.py")
    apply_steps(trace, {"files": ["t.py"], "rows": [[*enter, "worker-1"], [*call, "worker-1"]]})
    assert trace.tapes[1].thread == trace.gradient_calls[1].thread == "worker-1"
    older = Trace(scenario="t.py")
    apply_steps(older, {"files": ["t.py"], "rows": [enter, call]})
    assert older.tapes[1].thread is None and older.gradient_calls[1].thread is None
    with pytest.raises(TraceFormatError, match="wrong shape"):
        apply_steps(Trace(scenario="t.py"), {"files": ["t.py"], "rows": [[*enter, 7]]})
