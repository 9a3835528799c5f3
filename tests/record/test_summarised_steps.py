"""Past the detail budget a run is recorded through lean hooks as step rows: the same tapes,
gradient calls, values and output as a run recorded in full detail, in the same order."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from tapetui.record import record
from tapetui.record.budget import Budget
from tapetui.trace.events import OpEvent, OutputEvent, TapeEnterEvent, TapeExitEvent, WatchEvent
from tapetui.trace.labels import label
from tapetui.trace.model import Trace
from tapetui.trace.steps import CALL

STEPS = """\
import tensorflow as tf
w = tf.Variable([[1.0, 2.0], [3.0, 4.0]])
b = tf.Variable(0.5)
frozen = tf.Variable(2.0, trainable=False)
x0 = tf.constant([1.0, -1.0])
for step in range(3):
    x = x0 * float(step + 1)
    with tf.GradientTape(persistent=True) as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            y = tf.linalg.matvec(w, x) + b * frozen
        dy_dw = inner.gradient(y, w)
        loss = tf.reduce_sum(y * y)
    grads = outer.gradient(loss, {"w": w, "x": x, "b": b, "frozen": frozen})
    jac = outer.jacobian(y, x)
    print(step, float(loss))
    try:
        inner.gradient(y, w)
    except RuntimeError:
        print("used twice")
"""

DETAILED = Budget(tapes=0, ops=0)
SUMMARISED = Budget(tapes=2)
"""The first step's two tapes in detail, the other two steps summarised."""


@pytest.fixture(scope="module")
def traces(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Trace]:
    script = tmp_path_factory.mktemp("steps") / "steps.py"
    script.write_text(STEPS, encoding="utf-8")
    with ThreadPoolExecutor(2) as pool:
        detailed = pool.submit(record, script, timeout=300, budget=DETAILED)
        summarised = pool.submit(record, script, timeout=300, budget=SUMMARISED)
        return {"detailed": detailed.result(), "summarised": summarised.result()}


def _value(trace: Trace, ref: int | None) -> Any:
    if ref is None:
        return None
    tensor = trace.tensors[ref]
    return tensor.data if tensor.summary is None else ("summary", tensor.summary.size)


def _calls(trace: Trace) -> list[tuple[Any, ...]]:
    return [
        (
            call.tape,
            call.method,
            call.line,
            [label(trace, r) for r in call.target_ids],
            [_value(trace, r) for r in call.target_ids],
            [label(trace, r) for r in call.source_ids],
            [_value(trace, r) for r in call.result_ids],
            call.error.type if call.error else None,
            call.inside_context,
        )
        for call in sorted(trace.gradient_calls.values(), key=lambda c: c.seq)
    ]


def _tapes(trace: Trace) -> list[tuple[Any, ...]]:
    return [
        (t.id, t.line, t.persistent, t.parent, sorted(label(trace, r) for r in t.watched))
        for t in trace.tapes.values()
    ]


def _timeline(trace: Trace) -> list[tuple[str, int | None, str]]:
    """The steps a reader walks through, whatever the detail: tapes, explicit watches, calls,
    output."""
    kinds = (TapeEnterEvent, TapeExitEvent, WatchEvent, OutputEvent)
    return [
        (e.kind, e.line, getattr(e, "text", ""))
        for e in trace.events
        if (isinstance(e, kinds) and getattr(e, "explicit", True)) or e.kind == "gradient_call"
    ]


def test_the_run_is_summarised_after_its_first_two_tapes(traces: dict[str, Trace]) -> None:
    trace = traces["summarised"]
    assert trace.status == "finished"
    assert trace.meta["summarised"]["tapes_in_detail"] == 2
    start = trace.meta["summarised"]["from_seq"]
    assert not [e for e in trace.events if isinstance(e, OpEvent) and e.seq >= start]
    assert [e.seq for e in trace.events] == sorted(e.seq for e in trace.events)


def test_summarised_calls_have_the_values_of_detailed_ones(traces: dict[str, Trace]) -> None:
    detailed, summarised = _calls(traces["detailed"]), _calls(traces["summarised"])
    assert summarised == detailed
    losses = [call[4] for call in summarised if call[3] == ["loss"]]
    assert losses == [[0.0], [2.0], [8.0]]
    assert [call[7] for call in summarised] == [None, None, None, "RuntimeError"] * 3


def test_summarised_tapes_nest_and_watch_as_detailed_ones(traces: dict[str, Trace]) -> None:
    assert _tapes(traces["summarised"]) == _tapes(traces["detailed"])
    inner = traces["summarised"].tapes[6]
    assert (inner.parent, inner.watched and label(traces["summarised"], inner.watched[0])) == (
        5,
        "w",
    )


def test_summarised_steps_keep_their_place_in_the_timeline(traces: dict[str, Trace]) -> None:
    timeline = _timeline(traces["summarised"])
    assert timeline == _timeline(traces["detailed"])
    output = "".join(text for kind, _, text in timeline if kind == "output")
    assert output.endswith("2 8.0\nused twice\n")


LOOP_THEN = """\
import os, time
import tensorflow as tf
w = tf.Variable(1.0)
for step in range(1, 9):
    with tf.GradientTape() as tape:
        loss = w * float(step)
    grad = tape.gradient(loss, w)
{then}
"""


def _script(tmp_path: Path, then: str) -> Path:
    script = tmp_path / "loop.py"
    script.write_text(LOOP_THEN.format(then=then), encoding="utf-8")
    return script


def _steps_losses(trace: Trace) -> list[Any]:
    calls = sorted(trace.gradient_calls.values(), key=lambda c: c.seq)
    return [trace.tensors[c.target_ids[0]].data for c in calls]


def test_steps_reach_the_parent_while_the_scenario_still_runs(tmp_path: Path) -> None:
    cancel = threading.Event()

    def on_record(record: dict[str, Any]) -> None:
        rows = record.get("steps", {}).get("rows", [])
        if any(row[0] == CALL and row[2] == 8 for row in rows):  # the last step's call
            cancel.set()

    script = _script(tmp_path, "time.sleep(120)")
    trace = record(script, cancel=cancel, on_record=on_record, timeout=300, budget=SUMMARISED)
    assert trace.status == "cancelled"
    assert _steps_losses(trace) == [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]


def test_an_abort_after_summarised_steps_keeps_every_step(tmp_path: Path) -> None:
    trace = record(_script(tmp_path, "os.abort()"), timeout=300, budget=SUMMARISED)
    assert trace.status == "died"
    assert _steps_losses(trace) == [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]
