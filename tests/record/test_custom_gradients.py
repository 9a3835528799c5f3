"""A gradient that is not a tensor is a value: a ``tf.custom_gradient`` whose gradient function
returns a Python number gives TensorFlow that number, and tapetui records it as it is."""

from __future__ import annotations

from pathlib import Path

import pytest

from tapetui.explain import explain_call
from tapetui.record import record
from tapetui.record.budget import Budget
from tapetui.trace.events import BackwardStepEvent
from tapetui.trace.model import GradientCall, Trace

NUMBER_GRADIENTS = """\
import tensorflow as tf

@tf.custom_gradient
def float_back(x):
    def grad(upstream):
        return 2.0
    return tf.identity(x), grad

@tf.custom_gradient
def int_back(x):
    def grad(upstream):
        return 1
    return x * 1.0, grad

@tf.custom_gradient
def tensor_back(x):
    def grad(upstream):
        return upstream * 1
    return x * 1.0, grad

x = tf.constant(3.0)
with tf.GradientTape(persistent=True) as tape:
    tape.watch(x)
    a = float_back(x)
    b = int_back(x) * 4.0
    c = tensor_back(x) * 4.0
da = tape.gradient(a, x)
db = tape.gradient(b, x)
dc = tape.gradient(c, x)
print(repr(da), repr(db), float(dc))
"""


@pytest.fixture(scope="module")
def trace(tmp_path_factory: pytest.TempPathFactory) -> Trace:
    path = tmp_path_factory.mktemp("custom") / "number_gradients.py"
    path.write_text(NUMBER_GRADIENTS, encoding="utf-8")
    return record(path, budget=Budget(tapes=0, ops=0), timeout=300)


def _call(trace: Trace, target: str) -> GradientCall:
    line = NUMBER_GRADIENTS.splitlines().index(f"d{target} = tape.gradient({target}, x)") + 1
    (call,) = [c for c in trace.gradient_calls.values() if c.line == line]
    return call


def test_tensorflow_returns_the_numbers(trace: Trace) -> None:
    assert trace.output("stdout") == "2.0 1 4.0\n"


@pytest.mark.parametrize(("target", "value"), [("a", 2.0), ("b", 1), ("c", 4.0)])
def test_the_result_is_the_value_tensorflow_returned(
    trace: Trace, target: str, value: float
) -> None:
    call = _call(trace, target)
    (result,) = call.result_ids
    assert result is not None and trace.tensors[result].data == value
    assert explain_call(trace, call.id).results == [None]  # a value, so no cause for a None


@pytest.mark.parametrize(("target", "value"), [("a", 2.0), ("b", 1)])
def test_the_backward_step_produced_the_number(trace: Trace, target: str, value: float) -> None:
    call = _call(trace, target)
    steps = [e for e in trace.events if isinstance(e, BackwardStepEvent) and e.call == call.id]
    produced = [trace.tensors[p].data for s in steps for p in s.produced if p is not None]
    assert value in produced


GRAPH_MODE_READ = """\
import tensorflow as tf

with tf.Graph().as_default():
    v = tf.Variable(2.0)
    with tf.GradientTape() as tape:
        y = v * v
    grad = tape.gradient(y, v)
print(type(grad).__name__, grad.shape)
"""


def test_tensorflows_own_callers_of_record_operation_are_unchanged(tmp_path: Path) -> None:
    """Graph-mode variable reads call ``record.record_operation`` with keywords."""
    path = tmp_path / "graph_mode_read.py"
    path.write_text(GRAPH_MODE_READ, encoding="utf-8")
    trace = record(path, budget=Budget(tapes=0, ops=0), timeout=300)
    assert trace.status == "finished", trace.error
    assert trace.output("stdout") == "SymbolicTensor ()\n"
