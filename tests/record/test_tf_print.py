"""``tf.print`` writes from TensorFlow's kernel, past Python's streams: recorded, its text is the
scenario's output in the trace, eager or in a function run eagerly, in detail and summarised."""

from __future__ import annotations

import subprocess

import pytest

from tapetui.trace import Trace
from tests.record.conftest import plain_and_recorded

SCENARIO = """
import sys
import tensorflow as tf

x = tf.constant([1.0, 2.0])
tf.print("eager", x)


@tf.function
def step(v):
    with tf.GradientTape() as tape:
        tape.watch(v)
        y = tf.reduce_sum(v * v)
    tf.print("inside", y, output_stream=sys.stdout, end=";\\n")
    return tape.gradient(y, v)


for i in range(5):  # past the default budget's first 3 tapes: the last two steps summarised
    g = step(x * float(i))
tf.print("grad", g, {"k": 3}, sep="|")
"""

STDOUT = "inside 0;\ninside 5;\ninside 20;\ninside 45;\ninside 80;\n"
STDERR = "eager [1 2]\ngrad|[8 16]|{'k': 3}\n"


@pytest.fixture(scope="module")
def runs(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[subprocess.CompletedProcess[str], Trace]:
    return plain_and_recorded(tmp_path_factory.mktemp("tf_print"), "prints.py", SCENARIO)


def test_the_plain_run_prints_what_the_test_expects(
    runs: tuple[subprocess.CompletedProcess[str], Trace],
) -> None:
    plain, _ = runs
    assert plain.stdout == STDOUT
    assert [line for line in plain.stderr.splitlines(keepends=True) if line in STDERR] == [
        "eager [1 2]\n",
        "grad|[8 16]|{'k': 3}\n",
    ]


def test_the_trace_holds_each_tf_print_in_its_stream(
    runs: tuple[subprocess.CompletedProcess[str], Trace],
) -> None:
    _, trace = runs
    assert trace.meta.get("summarised") is not None  # the last steps' prints came summarised
    assert trace.output("stdout") == STDOUT
    assert trace.output("stderr") == STDERR
    assert not trace.meta.get("internal_errors")
