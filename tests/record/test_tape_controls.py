"""stop_recording, reset, tf.function, stop_gradient, NumPy and assignments, as TF ran them."""

from __future__ import annotations

import pytest

from tapetui.record import record
from tapetui.record.budget import Budget
from tapetui.trace.events import (
    AssignEvent,
    BackwardStepEvent,
    BoundaryEvent,
    OpEvent,
    ResumeRecordingEvent,
    StopRecordingEvent,
    TapeResetEvent,
)
from tapetui.trace.model import Trace

CONTROLS = """\
import numpy as np
import tensorflow as tf

x = tf.Variable(2.0)
frozen = tf.Variable(1.0, trainable=False)

@tf.function
def square(v):
    return v * v

with tf.GradientTape(persistent=True) as tape:
    a = x * 3.0
    with tape.stop_recording():
        b = x * 4.0
    s = square(x)
    cut = tf.stop_gradient(a)
    mean = np.mean(a)
    f = float(a)
    tape.reset()
    d = x + frozen
    s2 = square(d)
print(tape.gradient(d, x), tape.jacobian(d, x), tape.gradient(a, x), tape.gradient(s2, x))
x.assign_add(1.0)
"""


@pytest.fixture(scope="module")
def trace(tmp_path_factory: pytest.TempPathFactory) -> Trace:
    path = tmp_path_factory.mktemp("controls") / "controls.py"
    path.write_text(CONTROLS, encoding="utf-8")
    return record(path)


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> Trace:
    """The same scenario with ``--graph``: its ``tf.function`` runs compiled, as one op."""
    path = tmp_path_factory.mktemp("controls") / "controls.py"
    path.write_text(CONTROLS, encoding="utf-8")
    return record(path, budget=Budget(graph=True))


def op_on(trace: Trace, line: int, op_type: str) -> OpEvent:
    (op,) = [
        e
        for e in trace.events
        if isinstance(e, OpEvent) and e.line == line and e.op_type == op_type and not e.backward
    ]
    return op


def test_stop_recording_interval(trace: Trace) -> None:
    stop = [
        (type(e), e.line)
        for e in trace.events
        if isinstance(e, (StopRecordingEvent, ResumeRecordingEvent))
    ]
    assert stop == [(StopRecordingEvent, 13), (ResumeRecordingEvent, 13)]
    assert op_on(trace, 12, "Mul").recorded_by == [1]
    assert op_on(trace, 14, "Mul").recorded_by == []


def test_a_compiled_function_call_is_one_op_named_after_it(compiled: Trace) -> None:
    (call,) = [e for e in compiled.events if isinstance(e, OpEvent) and e.line == 15]
    assert (call.function, call.recorded_by) == ("square", [1])
    assert compiled.tensors[call.outputs[0]].data == 4.0


def test_a_compiled_function_gradient_is_one_backward_step(compiled: Trace) -> None:
    *_, call = compiled.gradient_calls.values()
    assert compiled.tensors[call.result_ids[0]].data == 6.0  # d(x + 1)²/dx at x = 2
    steps = [e for e in compiled.events if isinstance(e, BackwardStepEvent) and e.call == call.id]
    function_step = next(s for s in steps if compiled.ops[s.op].function == "square")
    assert function_step.line == 21
    assert [compiled.tensors[g].data for g in function_step.produced] == [6.0]
    assert compiled.tensors[function_step.upstream[0]].data == 1.0  # at the function's result


def test_an_eager_function_body_is_recorded_at_its_own_line(trace: Trace) -> None:
    ops = [e for e in trace.events if isinstance(e, OpEvent) and e.line == 9 and not e.backward]
    body = [op for op in ops if op.op_type == "Mul"]
    assert [(op.op_type, op.recorded_by, op.function) for op in body] == [("Mul", [1], None)] * 2
    assert [trace.tensors[op.outputs[0]].data for op in body] == [4.0, 9.0]  # x², (x + 1)²


def test_stop_gradient_is_never_recorded(trace: Trace) -> None:
    assert op_on(trace, 16, "StopGradient").recorded_by == []


def test_numpy_and_float_are_boundaries_out(trace: Trace) -> None:
    outs = [
        (e.line, e.how)
        for e in trace.events
        if isinstance(e, BoundaryEvent) and e.direction == "out"
    ]
    assert outs == [(17, "array"), (18, "float")]


def test_reset_drops_what_was_recorded(trace: Trace) -> None:
    (reset,) = [e for e in trace.events if isinstance(e, TapeResetEvent)]
    assert (reset.tape, reset.line) == (1, 19)
    assert op_on(trace, 20, "AddV2").recorded_by == [1]
    grad_d, jacobian, grad_a, _ = trace.gradient_calls.values()
    assert trace.tensors[grad_d.result_ids[0]].data == 1.0
    assert (jacobian.method, trace.tensors[jacobian.result_ids[0]].data) == ("jacobian", 1.0)
    assert grad_a.results is None


def test_untrainable_variable_is_not_watched(trace: Trace) -> None:
    frozen = next(v for v in trace.variables.values() if v.pyname == "frozen")
    assert not frozen.trainable
    assert frozen.id not in trace.tapes[1].watched


def test_assignment_is_recorded_with_its_value(trace: Trace) -> None:
    (assign,) = [e for e in trace.events if isinstance(e, AssignEvent)]
    x = next(v for v in trace.variables.values() if v.pyname == "x")
    assert (assign.variable, assign.method, assign.line) == (x.id, "assign_add", 23)
    assert trace.tensors[assign.value].data == 1.0


def test_no_disagreement_with_tensorflow(trace: Trace) -> None:
    assert trace.status == "finished"
    assert not trace.meta.get("tf_disagreements") and not trace.meta.get("internal_errors")
