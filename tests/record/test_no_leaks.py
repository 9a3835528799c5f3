"""The recorder keeps no object of the scenario alive: what a scenario drops is freed at once,
at every budget, as it is without tapetui."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tapetui.record import record
from tapetui.record.budget import Budget

from .conftest import plain_env

PROBE = """\
import weakref
import tensorflow as tf

def make():
    t = tf.constant([1.0, 2.0]) * 3.0
    u = t + 1.0
    return weakref.ref(u)

r = make()
print("made in a function:", "alive" if r() is not None else "freed")
x = tf.constant(2.0) * 2.0
rx = weakref.ref(x)
del x
print("deleted:", "alive" if rx() is not None else "freed")
pair = (tf.constant(1.0) * 2.0, tf.constant(3.0) + 1.0)
rp = weakref.ref(pair[0])
pair = None
print("item of a tuple:", "alive" if rp() is not None else "freed")
v = tf.Variable(1.0)
for step in range(3):
    with tf.GradientTape() as tape:
        y = v * v
    g = tape.gradient(y, v)
rt, ry, rg = weakref.ref(tape), weakref.ref(y), weakref.ref(g)
del tape, y, g
print("tape, loss, gradient:", [("alive" if r() is not None else "freed") for r in (rt, ry, rg)])
"""

TF_STYLE_TESTS = """\
import unittest

import tensorflow as tf
from tensorflow.python.framework import test_util


def square_of_sum(a, b):
    s = a + b
    return s * s


class TapeTest(tf.test.TestCase):
    @test_util.assert_no_new_tensors
    def test_constant_watched(self):
        x = tf.constant(3.0)
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = x * x
        self.assertAllClose(tape.gradient(y, x), 6.0)

    @test_util.assert_no_new_tensors
    def test_helper_intermediates_are_freed(self):
        x = tf.constant([1.0, 2.0])
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = tf.reduce_sum(square_of_sum(x, 1.0))
        self.assertAllClose(tape.gradient(y, x), [4.0, 6.0])

    @test_util.assert_no_new_tensors
    def test_persistent_tape_deleted(self):
        x = tf.constant(2.0)
        with tf.GradientTape(persistent=True) as tape:
            tape.watch(x)
            y = x * x
            z = y * y
        self.assertAllClose(tape.gradient(z, x), 32.0)
        self.assertAllClose(tape.gradient(y, x), 4.0)
        del tape

    @test_util.assert_no_garbage_created
    def test_no_garbage(self):
        x = tf.constant(2.0)
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = tf.sin(x) * x
        tape.gradient(y, x)

    @test_util.assert_no_new_tensors
    @test_util.assert_no_garbage_created
    def test_variable_gradient(self):
        v = tf.Variable(1.5)
        with tf.GradientTape() as tape:
            loss = v * v + 1.0
        self.assertAllClose(tape.gradient(loss, v), 3.0)


if __name__ == "__main__":
    result = unittest.main(exit=False, verbosity=2).result
    print("failures:", len(result.failures), "errors:", len(result.errors))
"""

BUDGETS = {
    "default": None,
    "full detail": Budget(tapes=0, ops=0),
    "summarised": Budget(tapes=1),
}


def _plain(script: Path) -> str:
    done = subprocess.run(
        [sys.executable, str(script)],
        env=plain_env(),
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=300,
        check=True,
    )
    return done.stdout


def _script(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def probe(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _script(tmp_path_factory.mktemp("probe"), "probe.py", PROBE)


@pytest.fixture(scope="module")
def probe_plain(probe: Path) -> str:
    return _plain(probe)


def test_the_probe_frees_everything_without_tapetui(probe_plain: str) -> None:
    assert probe_plain.count("freed") == 6 and "alive" not in probe_plain


@pytest.mark.parametrize("budget", list(BUDGETS), ids=list(BUDGETS))
def test_dropped_tensors_are_freed_under_recording(
    probe: Path, probe_plain: str, budget: str
) -> None:
    trace = record(probe, budget=BUDGETS[budget], timeout=300)
    assert trace.status == "finished"
    assert trace.output("stdout") == probe_plain


def test_tensorflow_style_leak_checks_pass_under_full_detail_recording(tmp_path: Path) -> None:
    script = _script(tmp_path, "tape_test.py", TF_STYLE_TESTS)
    plain = _plain(script)
    assert "failures: 0 errors: 0" in plain
    trace = record(script, budget=Budget(tapes=0, ops=0), timeout=300)
    assert trace.output("stdout") == plain
    printed = trace.output("stderr")
    assert "not deallocated" not in printed and "Ran 6 tests" in printed
    assert len(trace.gradient_calls) == 6  # the tests really were recorded
