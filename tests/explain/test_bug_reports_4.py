"""The explainer, the report and the step pane on a fourth round of real bug reports and
TensorFlow patterns (``scenarios/bugs``): a Keras loss that left TensorFlow through ``evaluate``,
``predict`` or ``.numpy()`` whatever variables were assigned on the way, and ``evaluate``'s float
given to ``tape.gradient``; the tapes a ``tf.py_function`` makes or runs, said for what they are;
and a function pfor runs as a graph.

The scenarios are recorded once for this module, in two child processes side by side
(``tests.explain.batch_record``), as the other rounds are. Expected lines are found by a piece of
the culprit statement, so the scenarios can be edited.
"""

from __future__ import annotations

import pytest

from tapetui.explain import explain
from tapetui.explain.datasets import primary_link
from tapetui.explain.links import Link
from tapetui.explain.pyfunc_tapes import py_function_tape
from tapetui.report import render_text
from tapetui.trace import OpEvent
from tapetui.trace.labels import label
from tapetui.trace.model import Trace
from tapetui.ui.describe import describe
from tapetui.ui.steps import Stepper
from tests.explain.bug_traces import check_none_cause, line_of, missing_gradient, record_bugs

PREDICTED = ["hidden/kernel", "hidden/bias", "norm/gamma", "norm/beta", "out/kernel", "out/bias"]

NONE: dict[str, list[tuple[int, str, str, str | None]]] = {
    # scenario: [(gradient call, source, cause, a piece of the culprit line), ...]
    "keras_evaluate_in_tape.py": [
        (1, "out/kernel", "left_tensorflow", "model.evaluate("),
        (1, "out/bias", "left_tensorflow", "model.evaluate("),
    ],
    "keras_predict_after_fit_in_tape.py": [
        (2, source, "left_tensorflow", "model.predict(") for source in PREDICTED
    ],
    "keras_call_numpy_in_tape.py": [
        (1, "out/kernel", "left_tensorflow", "output.numpy()"),
        (1, "out/bias", "left_tensorflow", "output.numpy()"),
    ],
}
"""What a reader of each report and scenario expects; the explainer never sees these."""

OTHERS = [
    "keras_evaluate_loss_to_gradient.py",
    "py_function_tape_in_dataset_map.py",
    "py_function_with_inner_tape_under_tape.py",
    "vectorized_map_per_example_loss.py",
]

SCENARIOS = sorted({*NONE, *OTHERS})


@pytest.fixture(scope="module")
def traces(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Trace]:
    """Every scenario of this round, recorded once."""
    return record_bugs(SCENARIOS, tmp_path_factory.mktemp("bug-traces-4"))


def _result(trace: Trace, call: int, source: str) -> object:
    gradient_call = trace.gradient_calls[call]
    sources = [label(trace, s) for s in gradient_call.source_ids]
    result = gradient_call.result_ids[sources.index(source)]
    assert result is not None, (call, source)
    return trace.tensors[result].data


def _rounded(value: object) -> object:
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    assert isinstance(value, float)
    return round(value, 5)


def _tape_line(trace: Trace, tape: int) -> str:
    lines = [line for line in render_text(trace).splitlines() if line.startswith(f"tape {tape} ")]
    assert len(lines) == 1, lines
    return lines[0]


@pytest.mark.parametrize("name", SCENARIOS)
def test_the_recorder_had_no_internal_error(traces: dict[str, Trace], name: str) -> None:
    assert not traces[name].meta.get("internal_errors")


@pytest.mark.parametrize(
    ("name", "call", "source", "code", "culprit"),
    [(name, *row) for name, rows in NONE.items() for row in rows],
)
def test_none_gets_its_cause_at_its_line(
    traces: dict[str, Trace], name: str, call: int, source: str, code: str, culprit: str | None
) -> None:
    check_none_cause(traces[name], call, source, code, culprit)


def test_evaluates_float_left_tensorflow_though_its_metric_variables_were_assigned(
    traces: dict[str, Trace],
) -> None:
    trace = traces["keras_evaluate_in_tape.py"]
    missing = missing_gradient(trace, 1, "out/kernel")
    assert "read by NumPy" in missing.sentence
    assert "came back as the new constant `loss`" in missing.sentence
    assert "assign" not in missing.sentence
    # The assignment into the loss metric's total is on the way, and listed after the cause.
    [cause, _] = explain(trace)[1].results
    assert cause is not None and "stateful_assign" in cause.others
    # The constant was first seen at the tape's exit (no op used it): that line is no evidence.
    assert line_of(trace, "with tf.GradientTape()") not in missing.evidence_lines


def test_evaluates_float_given_to_gradient_is_named_as_the_target_that_left(
    traces: dict[str, Trace],
) -> None:
    trace = traces["keras_evaluate_loss_to_gradient.py"]
    assert trace.error is not None and trace.error.type == "TypeError"
    cause = explain(trace)[1].error
    assert cause is not None and cause.code == "left_tensorflow", cause
    line = line_of(trace, "model.evaluate(")
    assert f"`loss = model.evaluate(x, y, verbose=0)` (line {line})" in cause.sentence
    assert "its target is the Python/NumPy value 0.2317" in cause.sentence
    assert [e.line for e in cause.evidence] == [line, line_of(trace, "tape.gradient(")]


def test_numpy_of_the_output_is_blamed_not_the_metric_updated_before(
    traces: dict[str, Trace],
) -> None:
    missing = missing_gradient(traces["keras_call_numpy_in_tape.py"], 1, "out/kernel")
    assert "`output` left TensorFlow through `.numpy()`" in missing.sentence


def test_leaving_tensorflow_is_reported_first_only_after_assignments() -> None:
    op = OpEvent(3, "s.py", 3, op=1, op_type="StopGradient", inputs=[1], outputs=[2])
    assigned = Link(1, 2, 2, code="stateful_assign")
    stopped = Link(1, 2, 3, op=op, code="stop_gradient")
    left = Link(2, 3, 4, code="left_tensorflow")
    assert primary_link([Link(0, 1, 1), assigned, left]) is left
    assert primary_link([stopped, left]) is stopped
    assert primary_link([assigned, Link(2, 3, 5)]) is assigned


def test_a_tape_inside_a_py_function_is_listed_where_it_is_and_who_ran_it(
    traces: dict[str, Trace],
) -> None:
    trace = traces["py_function_tape_in_dataset_map.py"]
    inner = line_of(trace, "with tf.GradientTape() as inner")
    assert [tape.line for tape in trace.tapes.values()] == [inner] * 3
    eager = line_of(trace, "print(tf.py_function(slope")
    assert f"in `slope`, run eagerly by tf.py_function at line {eager}" in _tape_line(trace, 1)
    for tape in (2, 3):  # each element of the dataset, from tf.data's own thread
        text = _tape_line(trace, tape)
        assert "in `slope`, run by tf.py_function from a graph (a tf.data pipeline's" in text
        assert trace.tapes[tape].thread not in (None, "MainThread")
        assert trace.tapes[tape].parent is None
    slopes = [_result(trace, call, "t") for call in (1, 2, 3)]
    assert _rounded(slopes) == [[0.91822, 0.077], 0.91822, 0.077]  # as the scenario printed


def test_tensorflows_own_py_function_tape_is_not_said_to_be_the_scenarios(
    traces: dict[str, Trace],
) -> None:
    trace = traces["py_function_with_inner_tape_under_tape.py"]
    call_line = line_of(trace, "out = tf.py_function(")
    own, inner = py_function_tape(trace, 2), py_function_tape(trace, 3)
    assert own is not None and own.role == "differentiates" and trace.tapes[2].line == call_line
    assert inner is not None and inner.role == "inside" and inner.line == call_line
    assert py_function_tape(trace, 1) is None  # the scenario's tape around the call
    expected = "TensorFlow's own: tf.py_function made it to differentiate `sin_times_slope`"
    assert expected in _tape_line(trace, 2)
    assert trace.tapes[3].line == line_of(trace, "with tf.GradientTape() as inner")
    assert f"run eagerly by tf.py_function at line {call_line}" in _tape_line(trace, 3)
    assert _tape_line(trace, 1).endswith("· non-persistent · watched: x")
    # Gradients flow through the py_function in eager mode: d/dx sin(x)·cos(x) = cos(2x).
    assert _rounded(_result(trace, 2, "x")) == [0.5403, -0.41615]
    sin_op = next(
        s
        for s in Stepper(trace).steps
        if isinstance(s.event, OpEvent) and s.event.op_type == "Sin" and not s.event.backward
    )
    text = "\n".join(t for t, _ in describe(trace, sin_op, {}))
    assert "recorded by tape 2 (tf.py_function's own), tape 3 (inner, in tf.py_function)" in text


def test_a_function_pfor_compiles_is_said_to_run_so_by_tensorflow_in_both_views(
    traces: dict[str, Trace],
) -> None:
    trace = traces["vectorized_map_per_example_loss.py"]
    assert "ran compiled (as TensorFlow itself runs them: pfor, tf.data …)" in render_text(trace)
    step = next(
        s
        for s in Stepper(trace).steps
        if isinstance(s.event, OpEvent) and s.event.function and not s.event.backward
    )
    text = "\n".join(t for t, _ in describe(trace, step, {}))
    assert "ran compiled, as TensorFlow itself runs it: pfor, tf.data …" in text
    assert "the scenario runs it" not in text
    assert _result(trace, 1, "w") == [[-9.0], [-13.0]]  # as the scenario printed
