"""A gradient call TensorFlow rejects before computing anything is still recorded, with its error,
and linked to the ``watch()`` of the same objects that raised just before it."""

from __future__ import annotations

import pytest

from tapetui.explain import explain_call
from tapetui.record import record
from tapetui.record.budget import Budget
from tapetui.trace.events import WatchEvent
from tapetui.trace.model import Trace

SYMBOLIC_INPUTS = """\
import keras
import tensorflow as tf

model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
data = tf.constant([[1.0, 2.0]])
with tf.GradientTape() as tape:
    try:
        tape.watch(model.inputs)
    except ValueError as error:
        print("watch raised")
    loss = tf.reduce_sum(model(data))
try:
    tape.gradient(loss, model.inputs)
except AttributeError:
    print("gradient raised")
with tf.GradientTape() as tape2:
    y = tf.reduce_sum(model(data))
grads = tape2.gradient(y, model.trainable_variables)
"""


@pytest.fixture(scope="module")
def trace(tmp_path_factory: pytest.TempPathFactory) -> Trace:
    path = tmp_path_factory.mktemp("symbolic") / "symbolic_inputs.py"
    path.write_text(SYMBOLIC_INPUTS, encoding="utf-8")
    return record(path, budget=Budget(tapes=0, ops=0), timeout=300)


def _line(text: str) -> int:
    return SYMBOLIC_INPUTS.splitlines().index(text) + 1


def test_the_scenario_ran_as_without_tapetui(trace: Trace) -> None:
    assert trace.output("stdout") == "watch raised\ngradient raised\n"
    assert "unreadable_records" not in trace.meta and "internal_errors" not in trace.meta


def test_every_gradient_call_entered_is_in_the_trace(trace: Trace) -> None:
    calls = sorted(trace.gradient_calls.values(), key=lambda c: c.seq)
    assert [c.id for c in calls] == [1, 2]
    assert [c.line for c in calls] == [
        _line("    tape.gradient(loss, model.inputs)"),
        _line("grads = tape2.gradient(y, model.trainable_variables)"),
    ]
    assert calls[0].error is not None and calls[0].error.type == "AttributeError"
    assert calls[1].error is None and None not in calls[1].result_ids


def test_the_rejected_source_is_the_object_watch_was_given(trace: Trace) -> None:
    call = trace.gradient_calls[1]
    (watch,) = [e for e in trace.events if isinstance(e, WatchEvent) and e.error]
    assert watch.tape == call.tape and watch.line == _line("        tape.watch(model.inputs)")
    assert [i.ref for i in watch.items] == call.source_ids
    assert trace.tensors[call.source_ids[0]].name == "KerasTensor 'keras_tensor'"


def test_the_calls_error_is_explained_by_the_watch_that_raised(trace: Trace) -> None:
    cause = explain_call(trace, 1).error
    assert cause is not None and cause.code == "watch_rejected"
    assert [e.line for e in cause.evidence] == [
        _line("        tape.watch(model.inputs)"),
        _line("    tape.gradient(loss, model.inputs)"),
    ]
    assert "AttributeError" in cause.sentence and "KerasTensor" in cause.sentence
