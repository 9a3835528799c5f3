"""Causes on the path: every way from the source to the target crosses a link gradients cannot."""

from __future__ import annotations

from tapetui.explain import CAUSE_CODES, explain, explain_call, watch_causes
from tapetui.explain.dataflow import build
from tapetui.trace.events import WatchEvent

from .timeline import Timeline


def _watched_w(source: str) -> tuple[Timeline, int, int]:
    """``w = tf.Variable([1.0, 2.0])`` on line 1 and a tape entered on line 2."""
    t = Timeline(source)
    w = t.variable("w", [1.0, 2.0], 1)
    tape = t.tape(2)
    t.enter(tape, 2)
    return t, w, tape


def test_numpy_mean_in_the_forward_pass_is_left_tensorflow() -> None:
    source = (
        "w = tf.Variable([1.0, 2.0])\n"
        "with tf.GradientTape() as tape:\n"
        "    pred = w * 3.0\n"
        "    m = np.mean(pred.numpy())\n"
        "    loss = tf.constant(m) * 2.0\n"
        "g = tape.gradient(loss, w)\n"
    )
    t, w, tape = _watched_w(source)
    pred = t.op("Mul", [t.read(w, 3), t.constant(None, 3.0, 3)], 3, "pred", [3.0, 6.0], shape=[2])
    t.to_numpy(pred, 4)
    m = t.constant(None, 4.5, 5)
    loss = t.op("Mul", [m, t.constant(None, 2.0, 5)], 5, "loss", 9.0)
    t.exit(tape, 5)
    cause = explain_call(t.trace, t.gradient(tape, loss, [w], 6, [None])).results[0]
    assert cause is not None and cause.code == "left_tensorflow"
    assert "`pred` left TensorFlow through `.numpy()`" in cause.sentence
    assert "(line 4)" in cause.sentence and "(line 5)" in cause.sentence
    assert cause.evidence_lines == [1, 4, 5, 6]


def test_float_of_the_loss_is_left_tensorflow() -> None:
    source = "w = V\nwith tape:\n    loss = w * w\n    value = float(loss)\ng(value, w)\n"
    t = Timeline(source)
    w = t.variable("w", 3.0, 1)
    tape = t.tape(2)
    t.enter(tape, 2)
    r = t.read(w, 3)
    loss = t.op("Mul", [r, r], 3, "loss", 9.0)
    t.to_numpy(loss, 4, how="float")
    t.exit(tape, 4)
    value = t.constant("value", 9.0, 5)
    cause = explain_call(t.trace, t.gradient(tape, value, [w], 5, [None])).results[0]
    assert cause is not None and cause.code == "left_tensorflow"
    assert "`float()`" in cause.sentence


def test_an_unrelated_constant_equal_to_nothing_that_left_is_no_path() -> None:
    source = "w = V\nb = V\nwith tape:\n    loss = b * 2.0\ng(loss, w)\n"
    t = Timeline(source)
    w = t.variable("w", 3.0, 1)
    b = t.variable("b", 1.0, 2)
    tape = t.tape(3)
    t.enter(tape, 3)
    loss = t.op("Mul", [t.read(b, 4), t.constant(None, 2.0, 4)], 4, "loss", 2.0)
    t.exit(tape, 4)
    cause = explain_call(t.trace, t.gradient(tape, loss, [w], 5, [None])).results[0]
    assert cause is not None and cause.code == "no_path"
    assert "`loss` does not depend on `w`" in cause.sentence


def test_assign_add_between_variables_is_stateful_assign() -> None:
    source = "a = V\nb = V\nwith tape:\n    a.assign_add(b * 2.0)\n    loss = a * 3.0\ng(loss, b)\n"
    t = Timeline(source)
    a = t.variable("a", 1.0, 1)
    b = t.variable("b", 2.0, 2)
    tape = t.tape(3)
    t.enter(tape, 3)
    step = t.op("Mul", [t.read(b, 4), t.constant(None, 2.0, 4)], 4, None, 4.0)
    t.assign(a, step, 4, "assign_add")
    loss = t.op("Mul", [t.read(a, 5), t.constant(None, 3.0, 5)], 5, "loss", 15.0)
    t.exit(tape, 5)
    explanation = explain_call(t.trace, t.gradient(tape, loss, [a, b], 6, [3.0, None]))
    assert explanation.results[0] is None
    cause = explanation.results[1]
    assert cause is not None and cause.code == "stateful_assign"
    assert "`a.assign_add(b * 2.0)` (line 4)" in cause.sentence
    assert 4 in cause.evidence_lines


def test_an_assignment_two_assignments_back_is_still_on_the_path() -> None:
    source = (
        "a = V\nb = V\nwith tape:\n    a.assign_add(b * 2.0)\n    a.assign_add(1.0)\n"
        "    loss = a * 3.0\ng(loss, b)\n"
    )
    t = Timeline(source)
    a = t.variable("a", 1.0, 1)
    b = t.variable("b", 2.0, 2)
    tape = t.tape(3)
    t.enter(tape, 3)
    t.assign(
        a, t.op("Mul", [t.read(b, 4), t.constant(None, 2.0, 4)], 4, None, 4.0), 4, "assign_add"
    )
    t.assign(a, t.constant(None, 1.0, 5), 5, "assign_add")
    loss = t.op("Mul", [t.read(a, 6), t.constant(None, 3.0, 6)], 6, "loss", 18.0)
    t.exit(tape, 6)
    cause = explain_call(t.trace, t.gradient(tape, loss, [b], 7, [None])).results[0]
    assert cause is not None and cause.code == "stateful_assign"
    assert "`a.assign_add(b * 2.0)` (line 4)" in cause.sentence


def _training_loop(steps: int) -> Timeline:
    """``w`` read, used and assigned in every step of a loop, one tape per step."""
    t = Timeline(
        "w = V\nfor _ in range(N):\n    with tape:\n        loss = w * w\n    w.assign_sub(g)\n"
    )
    w = t.variable("w", 1.0, 1)
    for _ in range(steps):
        tape = t.tape(3)
        t.enter(tape, 3)
        loss = t.op("Mul", [t.read(w, 4), t.read(w, 4)], 4, "loss", 1.0)
        t.exit(tape, 4)
        t.gradient(tape, loss, [w], 5, [2.0])
        t.assign(w, t.constant(None, 0.1, 5), 5, "assign_sub")
    return t


def test_the_dataflow_of_a_training_loop_grows_with_its_steps_not_their_square() -> None:
    def links(steps: int) -> int:
        flow = build(_training_loop(steps).trace)
        return sum(len(out) for out in flow.forward.values())

    assert links(300) - links(200) == links(200) - links(100)  # the same for each 100 steps


def test_reads_before_an_assignment_do_not_depend_on_it() -> None:
    source = "a = V\nb = V\nwith tape:\n    loss = a * 3.0\n    a.assign(b)\ng(loss, b)\n"
    t = Timeline(source)
    a = t.variable("a", 1.0, 1)
    b = t.variable("b", 2.0, 2)
    tape = t.tape(3)
    t.enter(tape, 3)
    loss = t.op("Mul", [t.read(a, 4), t.constant(None, 3.0, 4)], 4, "loss", 3.0)
    t.assign(a, t.read(b, 5), 5)
    t.exit(tape, 5)
    cause = explain_call(t.trace, t.gradient(tape, loss, [b], 6, [None])).results[0]
    assert cause is not None and cause.code == "no_path"


def test_stop_gradient_on_the_only_path_is_stop_gradient() -> None:
    source = "w = V\nwith tape:\n    h = tf.stop_gradient(w * 2.0)\n    loss = h * h\ng(loss, w)\n"
    t, w, tape = _watched_w(source)
    doubled = t.op("Mul", [t.read(w, 3), t.constant(None, 2.0, 3)], 3, None, [2.0, 4.0])
    h = t.op("StopGradient", [doubled], 3, "h", [2.0, 4.0])
    loss = t.op("Mul", [h, h], 4, "loss", [4.0, 16.0])
    t.exit(tape, 4)
    cause = explain_call(t.trace, t.gradient(tape, loss, [w], 5, [None])).results[0]
    assert cause is not None and cause.code == "stop_gradient"
    assert "`h = tf.stop_gradient(w * 2.0)` (line 3)" in cause.sentence


def test_round_in_the_loss_is_non_differentiable_op() -> None:
    source = "w = V\nwith tape:\n    r = tf.round(w)\n    loss = r * 2.0\ng(loss, w)\n"
    t, w, tape = _watched_w(source)
    r = t.op("Round", [t.read(w, 3)], 3, "r", [1.0, 2.0])
    loss = t.op("Mul", [r, t.constant(None, 2.0, 4)], 4, "loss", [2.0, 4.0])
    t.exit(tape, 4)
    cause = explain_call(t.trace, t.gradient(tape, loss, [w], 5, [None])).results[0]
    assert cause is not None and cause.code == "non_differentiable_op"
    assert cause.sentence.startswith("Round in `r = tf.round(w)` (line 3) has no gradient")


def test_cast_to_int_on_the_path_is_non_float_dtype() -> None:
    source = (
        "w = V\nwith tape:\n    n = tf.cast(w, tf.int32)\n    loss = tf.cast(n, tf.float32)\ng\n"
    )
    t, w, tape = _watched_w(source)
    n = t.op("Cast", [t.read(w, 3)], 3, "n", [1, 2], dtype="int32")
    loss = t.op("Cast", [n], 4, "loss", [1.0, 2.0])
    t.exit(tape, 4)
    cause = explain_call(t.trace, t.gradient(tape, loss, [w], 5, [None])).results[0]
    assert cause is not None and cause.code == "non_float_dtype"
    assert "into int32 (`n`)" in cause.sentence


def test_numpy_and_unwatched_constant_report_both() -> None:
    source = (
        "x = tf.constant(2.0)\nwith tape:\n    y = x * x\n    z = tf.constant(y.numpy())\ng(z, x)\n"
    )
    t = Timeline(source)
    x = t.constant("x", 2.0, 1)
    tape = t.tape(2)
    t.enter(tape, 2)
    y = t.op("Mul", [x, x], 3, "y", 4.0)
    t.to_numpy(y, 4)
    z = t.constant("z", 4.0, 4)
    t.exit(tape, 4)
    cause = explain_call(t.trace, t.gradient(tape, z, [x], 5, [None])).results[0]
    assert cause is not None and cause.code == "left_tensorflow"
    assert cause.others == ["not_watched"]


def test_a_real_zero_gradient_has_no_cause_but_an_unconnected_one_does() -> None:
    source = "w = V\nb = V\nwith tape:\n    loss = w * 0.0\ng(loss, [w, b], ZERO)\n"
    t = Timeline(source)
    w = t.variable("w", 3.0, 1)
    b = t.variable("b", 1.0, 2)
    tape = t.tape(3)
    t.enter(tape, 3)
    loss = t.op("Mul", [t.read(w, 4), t.constant(None, 0.0, 4)], 4, "loss", 0.0)
    t.exit(tape, 4)
    call = t.gradient(tape, loss, [w, b], 5, [0.0, 0.0], unconnected="zero")
    explanation = explain_call(t.trace, call)
    assert explanation.results[0] is None
    cause = explanation.results[1]
    assert cause is not None and cause.code == "no_path"
    assert [n.code for n in explanation.notes] == ["zeros_instead_of_none"]
    assert "`b`" in explanation.notes[0].sentence


def test_gradients_that_exist_carry_no_cause() -> None:
    source = "x = V\nwith tape:\n    y = x * x\ng\n"
    t = Timeline(source)
    x = t.variable("x", 3.0, 1)
    tape = t.tape(2)
    t.enter(tape, 2)
    r = t.read(x, 3)
    y = t.op("Mul", [r, r], 3, "y", 9.0)
    t.exit(tape, 3)
    t.gradient(tape, y, [x], 4, [6.0])
    explanations = explain(t.trace)
    assert [(e.results, e.error, e.notes) for e in explanations.values()] == [([None], None, [])]


def test_gradient_call_that_raised_otherwise_is_exception_with_its_line() -> None:
    t = Timeline("x = V\nwith tape:\n    y = x * x\ng = tape.gradient(y, 'x')\n")
    x = t.variable("x", 3.0, 1)
    tape = t.tape(2)
    t.enter(tape, 2)
    r = t.read(x, 3)
    y = t.op("Mul", [r, r], 3, "y", 9.0)
    t.exit(tape, 3)
    error = ("TypeError", "Argument `sources` must be a Tensor")
    explanation = explain_call(t.trace, t.gradient(tape, y, [x], 4, [None], error=error))
    assert explanation.error is not None and explanation.error.code == "exception"
    assert (
        "line 4 raised TypeError: Argument `sources` must be a Tensor" in explanation.error.sentence
    )


def test_missing_gradient_function_is_no_gradient_registered() -> None:
    t = Timeline("x = V\nwith tape:\n    y = my_op(x)\ng = tape.gradient(y, x)\n")
    x = t.variable("x", 3.0, 1)
    tape = t.tape(2)
    t.enter(tape, 2)
    y = t.op("MyOp", [t.read(x, 3)], 3, "y", 9.0)
    t.exit(tape, 3)
    error = ("LookupError", "No gradient defined for operation 'MyOp' (op type: MyOp).")
    explanation = explain_call(t.trace, t.gradient(tape, y, [x], 4, [None], error=error))
    assert explanation.error is not None
    assert explanation.error.code == "no_gradient_registered"
    assert "`MyOp` (`y = my_op(x)` (line 3))" in explanation.error.sentence


def test_every_code_has_a_meaning() -> None:
    assert all(meaning.strip() for meaning in CAUSE_CODES.values())
    assert len(CAUSE_CODES) == 22


def test_a_watch_that_raised_is_watch_rejected() -> None:
    t = Timeline("layer = Dense(1)\nwith tape:\n    tape.watch(layer.kernel)\n")
    tape = t.tape(2)
    t.enter(tape, 2)
    t.watch(tape, [], 3)
    watch = t.trace.events[-1]
    assert isinstance(watch, WatchEvent)
    watch.empty, watch.error = False, "Passed in object of type KerasVariable, not tf.Tensor"
    (cause,) = watch_causes(t.trace).values()
    assert cause.code == "watch_rejected"
    assert "line 3" in cause.sentence and "KerasVariable" in cause.sentence
    assert "layer.kernel.value" in cause.fix
