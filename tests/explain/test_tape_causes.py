"""Causes on the tape's side: the path is clean, but the asked tape did not keep it."""

from __future__ import annotations

from tapetui.explain import explain_call

from .timeline import Timeline

SEED_NONE_CASES = """\
import tensorflow as tf

x = tf.Variable(2.0)
y1 = x * x

with tf.GradientTape() as tape:
    y2 = x + 1

print(tape.gradient(y1, x))
print(tape.gradient(y2, x))
"""


def _seed_none_cases() -> tuple[Timeline, int, int]:
    t = Timeline(SEED_NONE_CASES)
    x = t.variable("x", 2.0, 3)
    r = t.read(x, 4, 2.0)
    y1 = t.op("Mul", [r, r], 4, "y1", 4.0)
    tape = t.tape(6)
    t.enter(tape, 6)
    y2 = t.op("AddV2", [t.read(x, 7, 2.0), t.constant(None, 1.0, 7)], 7, "y2", 3.0)
    t.exit(tape, 7)
    first = t.gradient(tape, y1, [x], 9, [None])
    error = ("RuntimeError", "A non-persistent GradientTape can only be used to compute one set")
    second = t.gradient(tape, y2, [x], 10, [None], error=error)
    return t, first, second


def test_loss_computed_before_the_tape_is_outside_tape() -> None:
    t, first, _ = _seed_none_cases()
    cause = explain_call(t.trace, first).results[0]
    assert cause is not None
    assert cause.code == "outside_tape"
    assert "`y1 = x * x` (line 4)" in cause.sentence
    assert "line 6" in cause.sentence
    assert 4 in cause.evidence_lines and 6 in cause.evidence_lines


def test_second_call_on_a_non_persistent_tape_is_persistent_reuse() -> None:
    t, _, second = _seed_none_cases()
    explanation = explain_call(t.trace, second)
    assert explanation.error is not None
    assert explanation.error.code == "persistent_reuse"
    assert "line 9" in explanation.error.sentence
    assert explanation.error.evidence_lines == [9, 10]
    assert explanation.results == [None]


def test_loss_computed_after_the_block_ended_is_outside_tape() -> None:
    t = Timeline("w = tf.Variable(1.0)\nwith tape:\n    a = w * 2\nloss = w * 3\ng = grad\n")
    w = t.variable("w", 1.0, 1)
    tape = t.tape(2)
    t.enter(tape, 2)
    t.op("Mul", [t.read(w, 3), t.constant(None, 2.0, 3)], 3, "a", 2.0)
    t.exit(tape, 3)
    loss = t.op("Mul", [t.read(w, 4), t.constant(None, 3.0, 4)], 4, "loss", 3.0)
    call = t.gradient(tape, loss, [w], 5, [None])
    cause = explain_call(t.trace, call).results[0]
    assert cause is not None and cause.code == "outside_tape"
    assert "`loss = w * 3` (line 4) ran after" in cause.sentence


def test_constant_never_watched_is_not_watched() -> None:
    t = Timeline("x = tf.constant(3.0)\nwith tf.GradientTape() as tape:\n    y = x * x\ng\n")
    x = t.constant("x", 3.0, 1)
    tape = t.tape(2)
    t.enter(tape, 2)
    y = t.op("Mul", [x, x], 3, "y", 9.0)
    t.exit(tape, 3)
    cause = explain_call(t.trace, t.gradient(tape, y, [x], 4, [None])).results[0]
    assert cause is not None and cause.code == "not_watched"
    assert "`x`" in cause.sentence and "`y = x * x` (line 3)" in cause.sentence
    assert "tape.watch(x)" in cause.fix
    assert cause.others == []


def test_watch_after_use_says_it_came_too_late() -> None:
    t = Timeline("x = c\nwith tape:\n    y = x * x\n    tape.watch(x)\ng\n")
    x = t.constant("x", 3.0, 1)
    tape = t.tape(2)
    t.enter(tape, 2)
    y = t.op("Mul", [x, x], 3, "y", 9.0)
    t.watch(tape, [x], 4)
    t.exit(tape, 4)
    cause = explain_call(t.trace, t.gradient(tape, y, [x], 5, [None])).results[0]
    assert cause is not None and cause.code == "not_watched"
    assert "line 4 came too late" in cause.sentence


def test_empty_watch_list_with_watch_accessed_off_is_watch_accessed_off() -> None:
    source = (
        "a = Dense(2)\n"
        "with tf.GradientTape(watch_accessed_variables=False) as tape:\n"
        "    tape.watch(a.variables)\n"
        "    result = a(inputs)\n"
        "    grad = tape.gradient(result, a.variables)\n"
    )
    t = Timeline(source)
    tape = t.tape(2, watch_accessed=False)
    t.enter(tape, 2)
    t.watch(tape, [], 3)
    kernel = t.variable("kernel", [1.0, 2.0], 4)
    inputs = t.constant("inputs", [0.5, 0.5], 4)
    result = t.op("MatMul", [inputs, t.read(kernel, 4)], 4, "result", [0.5, 1.0], shape=[2])
    call = t.gradient(tape, result, [kernel], 5, [None])
    explanation = explain_call(t.trace, call)
    cause = explanation.results[0]
    assert cause is not None and cause.code == "watch_accessed_off"
    assert "`tape.watch(a.variables)` (line 3) watched an empty list" in cause.sentence
    assert {2, 3, 4} <= set(cause.evidence_lines)
    assert [n.code for n in explanation.notes] == ["gradient_inside_context", "non_scalar_target"]


def test_non_trainable_variable_is_not_trainable() -> None:
    t = Timeline("m = tf.Variable(0.5, trainable=False)\nwith tape:\n    loss = m * m\ng\n")
    m = t.variable("m", 0.5, 1, trainable=False)
    tape = t.tape(2)
    t.enter(tape, 2)
    r = t.read(m, 3)
    loss = t.op("Mul", [r, r], 3, "loss", 0.25)
    t.exit(tape, 3)
    cause = explain_call(t.trace, t.gradient(tape, loss, [m], 4, [None])).results[0]
    assert cause is not None and cause.code == "not_trainable"
    assert "`m` is a non-trainable variable" in cause.sentence


def test_name_rebound_to_a_tensor_is_variable_rebound() -> None:
    source = "x = tf.Variable(3.0)\nx = x + 1\nwith tape:\n    y = x * x\ng\n"
    t = Timeline(source)
    var = t.variable("x", 3.0, 1)
    x = t.op("AddV2", [t.read(var, 2), t.constant(None, 1.0, 2)], 2, "x", 4.0)
    tape = t.tape(3)
    t.enter(tape, 3)
    y = t.op("Mul", [x, x], 4, "y", 16.0)
    t.exit(tape, 4)
    cause = explain_call(t.trace, t.gradient(tape, y, [x], 5, [None])).results[0]
    assert cause is not None and cause.code == "variable_rebound"
    assert "created at line 1" in cause.sentence and "`x = x + 1` (line 2)" in cause.sentence
    assert "x.assign" in cause.fix


def test_integer_source_is_non_float_dtype() -> None:
    t = Timeline("x = tf.constant(3)\nwith tape:\n    tape.watch(x)\n    y = x * x\ng\n")
    x = t.constant("x", 3, 1, dtype="int32")
    tape = t.tape(2)
    t.enter(tape, 2)
    t.watch(tape, [x], 3)
    y = t.op("Mul", [x, x], 4, "y", 9, dtype="int32")
    t.exit(tape, 4)
    cause = explain_call(t.trace, t.gradient(tape, y, [x], 5, [None])).results[0]
    assert cause is not None and cause.code == "non_float_dtype"
    assert "int32" in cause.sentence
    assert 3 in cause.evidence_lines


def test_ops_inside_stop_recording_are_stop_recording() -> None:
    source = "x = V\nwith tape:\n    with tape.stop_recording():\n        y = x * x\ng\n"
    t = Timeline(source)
    x = t.variable("x", 2.0, 1)
    tape = t.tape(2)
    t.enter(tape, 2)
    t.stop(tape, 3)
    r = t.read(x, 4)
    y = t.op("Mul", [r, r], 4, "y", 4.0)
    t.resume(tape, 4)
    t.exit(tape, 4)
    cause = explain_call(t.trace, t.gradient(tape, y, [x], 5, [None])).results[0]
    assert cause is not None and cause.code == "stop_recording"
    assert "line 3" in cause.sentence and 4 in cause.evidence_lines


def test_reset_between_loss_and_gradient_is_tape_reset() -> None:
    source = "x = V\nwith tape:\n    y = x * x\n    tape.reset()\n    z = x + 1\ng\n"
    t = Timeline(source)
    x = t.variable("x", 2.0, 1)
    tape = t.tape(2, persistent=True)
    t.enter(tape, 2)
    r = t.read(x, 3)
    y = t.op("Mul", [r, r], 3, "y", 4.0)
    t.reset(tape, 4)
    z = t.op("AddV2", [t.read(x, 5), t.constant(None, 1.0, 5)], 5, "z", 3.0)
    t.exit(tape, 5)
    lost = explain_call(t.trace, t.gradient(tape, y, [x], 6, [None])).results[0]
    kept = explain_call(t.trace, t.gradient(tape, z, [x], 6, [1.0])).results[0]
    assert lost is not None and lost.code == "tape_reset"
    assert "`tape.reset()` at line 4" in lost.sentence
    assert kept is None


def test_asking_the_tape_that_did_not_record_is_other_tape() -> None:
    source = "x = V\nwith A as t1:\n    y = x * x\nwith B as t2:\n    z = x\ng\n"
    t = Timeline(source)
    x = t.variable("x", 2.0, 1)
    t1 = t.tape(2, label="t1")
    t.enter(t1, 2)
    r = t.read(x, 3)
    y = t.op("Mul", [r, r], 3, "y", 4.0)
    t.exit(t1, 3)
    t2 = t.tape(4, label="t2")
    t.enter(t2, 4)
    t.exit(t2, 5)
    cause = explain_call(t.trace, t.gradient(t2, y, [x], 6, [None])).results[0]
    assert cause is not None and cause.code == "other_tape"
    assert "`t1` (line 2)" in cause.sentence and "`t2` (line 4)" in cause.sentence
    assert "t1.gradient" in cause.fix


def test_unwatched_input_of_a_recorded_op_is_not_watched() -> None:
    t = Timeline("a = c\nb = c\nwith tape:\n    tape.watch(a)\n    c = a * b\ng(c, b)\n")
    a = t.constant("a", 2.0, 1)
    b = t.constant("b", 3.0, 2)
    tape = t.tape(3)
    t.enter(tape, 3)
    t.watch(tape, [a], 4)
    c = t.op("Mul", [a, b], 5, "c", 6.0)
    t.exit(tape, 5)
    cause = explain_call(t.trace, t.gradient(tape, c, [b], 6, [None])).results[0]
    assert cause is not None and cause.code == "not_watched"
    assert "`c = a * b` (line 5)" in cause.sentence
