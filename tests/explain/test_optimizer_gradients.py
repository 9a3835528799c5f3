"""An optimizer given None gradients: `no_gradients_provided` for its error, and the note
`missing_gradients_warning` for its warning, on hand-built traces."""

from __future__ import annotations

from tapetui.explain import CAUSE_CODES, NOTE_CODES, explain_call, explain_error
from tapetui.trace.events import ErrorEvent, MissingGradientsEvent
from tapetui.trace.model import ErrorInfo

from .timeline import FILE, Timeline

NO_GRADIENTS = "No gradients provided for any variable."
SOURCE = (
    "w = tf.Variable([1.0, 2.0])\n"
    "b = tf.Variable(0.5)\n"
    "with tf.GradientTape() as tape:\n"
    "    loss = tf.round(w * 2.0)\n"
    "grads = tape.gradient(loss, [w, b])\n"
    "optimizer.apply_gradients(zip(grads, [w, b]))\n"
)


def _round_loss(outcome: str, message: str = "") -> tuple[Timeline, int, list[int]]:
    """``loss = tf.round(w * 2.0)``: neither ``w`` (Round) nor ``b`` (unused) gets a gradient;
    the optimizer on line 6 was given the call's two Nones."""
    t = Timeline(SOURCE)
    w, b = t.variable("w", [1.0, 2.0], 1), t.variable("b", 0.5, 2)
    tape = t.tape(3)
    t.enter(tape, 3)
    doubled = t.op("Mul", [t.read(w, 4), t.constant(None, 2.0, 4)], 4, None, [2.0, 4.0])
    loss = t.op("Round", [doubled], 4, "loss", [2.0, 4.0])
    t.exit(tape, 4)
    call = t.gradient(tape, loss, [w, b], 5, [None, None])
    fields = {"call": call, "variables": [w, b], "gradients": [None, None]}
    t._event(MissingGradientsEvent, 6, outcome=outcome, message=message, **fields)
    return t, call, [w, b]


def _raised(t: Timeline, message: str = NO_GRADIENTS) -> None:
    t._event(ErrorEvent, 6, type="ValueError", message=message)
    t.trace.error = ErrorInfo("ValueError", message, FILE, 6)
    t.trace.status = "raised"


def test_the_codes_are_part_of_the_contract() -> None:
    assert "no_gradients_provided" in CAUSE_CODES
    assert "missing_gradients_warning" in NOTE_CODES


def test_the_optimizers_error_names_the_call_and_each_variables_cause() -> None:
    t, _, _ = _round_loss("raised", NO_GRADIENTS)
    _raised(t)
    cause = explain_error(t.trace)
    assert cause is not None and cause.code == "no_gradients_provided"
    assert "at line 6: all 2 gradients it was given are None" in cause.sentence
    assert "gradient call 1 (`gradient` of `loss` at line 5)" in cause.sentence
    assert "Round in `loss = tf.round(w * 2.0)` (line 4) has no gradient" in cause.sentence
    assert "for `w`, Round" in cause.sentence and "(non_differentiable_op)" in cause.sentence
    assert "`loss` does not depend on `b` (no_path)" in cause.sentence
    assert cause.evidence_lines == [2, 4, 5, 6]  # b created, Round, the call, the optimizer


def test_another_error_of_the_scenario_is_not_explained_by_the_optimizer() -> None:
    t, _, _ = _round_loss("raised", NO_GRADIENTS)
    _raised(t, "shapes (2,) and (3,) are incompatible")
    assert explain_error(t.trace) is None


def test_gradients_from_no_recorded_call_are_said_so() -> None:
    t, _, _ = _round_loss("raised", NO_GRADIENTS)
    event = t.trace.events[-1]
    assert isinstance(event, MissingGradientsEvent)
    event.call = None
    _raised(t)
    cause = explain_error(t.trace)
    assert cause is not None and cause.code == "no_gradients_provided"
    assert "no recorded gradient call returned them" in cause.sentence


def test_the_warning_is_a_note_on_the_call_with_the_reasons() -> None:
    t, call, _ = _round_loss("warned")
    notes = [n for n in explain_call(t.trace, call).notes if n.code == "missing_gradients_warning"]
    (note,) = notes
    assert "at line 6 warned that gradients do not exist for `w` and `b`" in note.sentence
    assert "(line 4) has no gradient (non_differentiable_op)" in note.sentence
    assert explain_error(t.trace) is None  # a warning does not end the scenario
