"""Causes and watch lists that say what TensorFlow did, on scenarios recorded for real.

The three scenarios are recorded in one child process (one TensorFlow import), once per module.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tapetui.explain import explain
from tapetui.report.build import build_report
from tapetui.trace import load
from tapetui.trace.model import Trace
from tapetui.ui.tapes import tapes_pane_lines

ROOT = Path(__file__).resolve().parents[2]

SCENARIOS = {
    "integer_variable.py": """import tensorflow as tf

w = tf.Variable(2)
x = tf.constant(3)
b = tf.Variable(1.0)
with tf.GradientTape() as tape:
    loss = tf.cast(w * x, tf.float32) + b
print(tape.gradient(loss, [w, b]))
""",
    "keras_variable_watch.py": """import numpy as np
import tensorflow as tf

x = np.ones((1, 3), dtype="float32")
layer = tf.keras.layers.Dense(2)
layer.build((None, 3))
with tf.GradientTape(watch_accessed_variables=False) as tape:
    try:
        tape.watch(layer.kernel)
    except ValueError as error:
        print("ValueError")
    y = tf.reduce_sum(layer(x))
print(tape.gradient(y, layer.kernel))
""",
    "histogram_between_calls.py": """import numpy as np
import tensorflow as tf

w = tf.Variable([0.5, 1.5, 2.5, 3.5])
with tf.GradientTape(persistent=True) as tape:
    scaled = w * 2.0
    counts, _ = np.histogram(scaled.numpy(), bins=3)
    first = tape.gradient(scaled, w)
    loss = tf.reduce_sum(tf.constant(counts, dtype=tf.float32))
print(tape.gradient(loss, w))
""",
}


@pytest.fixture(scope="module")
def traces(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Trace]:
    folder = tmp_path_factory.mktemp("true-causes")
    paths = []
    for name, text in SCENARIOS.items():
        (folder / name).write_text(text, encoding="utf-8")
        paths.append(str(folder / name))
    command = [sys.executable, "-m", "tests.explain.batch_record", str(folder), *paths]
    subprocess.run(command, cwd=ROOT, capture_output=True, check=True, timeout=300)
    return {name: load(folder / f"{name}.json") for name in SCENARIOS}


def _cause_codes(trace: Trace) -> list[str | None]:
    return [c.code if c else None for why in explain(trace).values() for c in why.results]


def test_an_integer_variable_read_on_the_tape_is_not_listed_as_watched(
    traces: dict[str, Trace],
) -> None:
    trace = traces["integer_variable.py"]
    pane = [t for t, _ in tapes_pane_lines(trace, {}, 1)]
    assert not any(t.startswith("  ◉ w") for t in pane)
    assert (
        "  ○ w ignored, l.7: int32 is not a floating-point dtype: no read of it is recorded" in pane
    )
    assert "  ◉ b (auto, l.7)" in pane
    (tape,) = build_report(trace)["tapes"]
    assert tape["watched"] == ["b"] and tape["not_floating"] == ["w"]
    assert _cause_codes(trace) == ["non_float_dtype", None]
    (why,) = explain(trace).values()
    assert "tape.watch" not in why.results[0].sentence  # the scenario never called watch()


def test_why_for_a_watch_that_raised_says_it_raised_and_to_watch_value(
    traces: dict[str, Trace],
) -> None:
    (why,) = explain(traces["keras_variable_watch.py"]).values()
    (cause,) = why.results
    assert cause is not None
    assert "`tape.watch(layer.kernel)` (line 9) raised ValueError" in cause.sentence
    assert "never passed to `watch()`" not in cause.sentence
    assert "`tape.watch(layer.kernel.value)`" in cause.fix


def test_a_value_sent_to_numpy_before_a_persistent_tapes_first_call_left_tensorflow(
    traces: dict[str, Trace],
) -> None:
    assert _cause_codes(traces["histogram_between_calls.py"]) == [None, "left_tensorflow"]
