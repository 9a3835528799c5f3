"""What a ``tf.function`` prints, recorded, is what it prints compiled: a ``print`` and a warning
in the body once a trace, ``tf.print`` and a ``tf.py_function``'s Python function on every call,
though the recorder runs the body eagerly on every call."""

from __future__ import annotations

import subprocess

import pytest

from tapetui.trace import Trace
from tests.record.conftest import plain_and_recorded

SCENARIO = """
import warnings
import tensorflow as tf


def noisy(x):
    print("py_function body sees", x.numpy())
    return x * 2.0


@tf.function
def step(x):
    print("tracing step with", x.shape)
    warnings.warn("step traced", UserWarning, stacklevel=1)
    tf.print("tf.print in step", x)
    return tf.py_function(noisy, [x], tf.float32) + 1.0


for i in range(5):  # past the default budget's detail: the last calls summarised
    with tf.GradientTape() as tape:
        x = tf.constant(float(i))
        tape.watch(x)
        y = step(x)
    print("call", i, y.numpy(), tape.gradient(y, x).numpy())
step(tf.constant([1.0, 2.0]))  # a new signature: traced again
print("done")
"""


@pytest.fixture(scope="module")
def runs(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[subprocess.CompletedProcess[str], Trace]:
    return plain_and_recorded(tmp_path_factory.mktemp("function_output"), "prints.py", SCENARIO)


def test_stdout_is_the_plain_runs_traces_and_py_function_calls(
    runs: tuple[subprocess.CompletedProcess[str], Trace],
) -> None:
    plain, trace = runs
    assert plain.stdout.count("tracing step") == 2
    assert plain.stdout.count("py_function body sees") == 6
    assert trace.output("stdout") == plain.stdout
    assert trace.meta.get("summarised") is not None


def test_the_warning_is_shown_once_and_tf_print_on_every_call(
    runs: tuple[subprocess.CompletedProcess[str], Trace],
) -> None:
    plain, trace = runs
    recorded = trace.output("stderr")
    assert recorded.count("UserWarning: step traced") == plain.stderr.count("step traced") == 1
    printed = [line for line in recorded.splitlines() if line.startswith("tf.print")]
    assert printed == [f"tf.print in step {i}" for i in range(5)] + ["tf.print in step [1 2]"]
    assert not trace.meta.get("internal_errors")
