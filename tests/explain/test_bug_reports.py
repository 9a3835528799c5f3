"""The explainer on the patterns of real bug reports (``scenarios/bugs``): each None's cause and
the line that causes it, each NaN's cause and first op, each optimizer error and each note.

Every scenario is recorded once per session, in two child processes side by side
(``tests.explain.batch_record``), as ``tests/explain/test_recorded_scenarios.py`` does. The
expected lines are found by a piece of the culprit statement, so the scenarios can be edited.
"""

from __future__ import annotations

import pytest

from tapetui.explain import explain, explain_error
from tapetui.explain.missing import missing_gradients
from tapetui.trace.labels import label
from tapetui.trace.model import Trace
from tests.explain.bug_traces import BUGS, check_none_cause, line_of, missing_gradient, record_bugs

NONE: dict[str, list[tuple[int, str, str, str | None]]] = {
    # scenario: [(gradient call, source, cause, a piece of the culprit line), ...]
    "assign_add_in_tape.py": [(1, "x", "stateful_assign", "v.assign_add(x)")],
    "batchnorm_model_variables.py": [
        (1, "bn/moving_mean", "no_path", "model(x, training=True)"),
        (1, "bn/moving_variance", "no_path", "model(x, training=True)"),
    ],
    "gan_numpy_moments.py": [
        (1, "gen/kernel", "left_tensorflow", "g_fake_data.numpy()"),
        (1, "gen/bias", "left_tensorflow", "g_fake_data.numpy()"),
    ],
    "gradient_of_constant.py": [(1, "ones", "no_path", None)],
    "integer_initial_values.py": [
        (1, "w", "non_float_dtype", "w = tf.Variable(2)"),
        (1, "b", "non_float_dtype", "b = tf.Variable(1)"),
    ],
    "keras_weight_assigned_in_call.py": [(1, "x", "stateful_assign", "self.w.assign(x)")],
    "loss_computed_before_tape.py": [(1, "y_n", "outside_tape", "cost = -tf.reduce_mean")],
    "loss_uses_only_y_true.py": [(1, "dense/kernel", "no_path", None)],
    "numpy_in_loss.py": [(1, "w", "left_tensorflow", "prediction.numpy()")],
    "python_float_losses.py": [
        (1, "logits/kernel", "left_tensorflow", "losses.append(float("),
        (1, "logits/bias", "left_tensorflow", "losses.append(float("),
    ],
    "rank_loss_argsort.py": [(1, "layer.kernel", "non_float_dtype", "predicted_orders =")],
    "second_derivative_outside_tape.py": [(2, "v", "outside_tape", "grads = tape.gradient(w, y)")],
    "subclass_call_skips_layers.py": [
        (1, "linear1/kernel", "no_path", "output = self.linear2(output)"),
        (1, "linear2/bias", "no_path", "output = self.linear2(output)"),
    ],
    "target_made_after_tape.py": [(1, "x", "outside_tape", "return x**2")],
    "tf_function_prediction_before_tape.py": [
        (1, "out/kernel", "outside_tape", "prediction = model(x)")
    ],
    "threshold_cast_loss_fit.py": [(1, "score/kernel", "non_differentiable_op", "y_pred > 0.5")],
    "train_step_numpy_prediction.py": [(1, "dense/kernel", "left_tensorflow", "y_pred.numpy()")],
    "variable_created_in_call.py": [
        (1, "trained[0]", "no_path", "self.scale = tf.Variable("),
        (2, "trained[0]", "no_path", "self.scale = tf.Variable("),
    ],
}
"""What a reader of each report and scenario expects; the explainer never sees these."""

NAN: dict[str, list[tuple[int, str, str, str, str]]] = {
    # scenario: [(gradient call, source, cause, first op, a piece of its line), ...]
    "cross_entropy_log_zero.py": [(1, "w", "nan_in_forward", "Log", "tf.math.log(pred)")],
    "norm_of_zero.py": [(1, "x", "infinite_local_derivative", "Sqrt", "tf.norm(")],
    "rmse_loss_fit.py": [
        (1, "out/kernel", "infinite_local_derivative", "Sqrt", "return tf.sqrt("),
        (2, "out/kernel", "nan_in_forward", "ReadVariableOp", "model.fit("),
    ],
    "where_log_negative.py": [(1, "alpha", "nan_in_forward", "Log", "tf.math.log(x)")],
    "where_unselected_overflow.py": [(1, "a", "where_trap", "Pow", "tf.math.pow(")],
}

NO_GRADIENTS = {  # the optimizer raised "No gradients provided": a piece of the line
    "loss_computed_before_tape.py": ("outside_tape", "optimizer.apply_gradients("),
    "numpy_in_loss.py": ("left_tensorflow", "optimizer.apply_gradients("),
    "rank_loss_argsort.py": ("non_float_dtype", "optimizer.apply_gradients("),
    "tf_function_prediction_before_tape.py": ("outside_tape", "optimizer.apply_gradients("),
    "threshold_cast_loss_fit.py": ("non_differentiable_op", "model.fit("),
    "loss_uses_only_y_true.py": ("no_path", "model.fit("),
    "train_step_numpy_prediction.py": ("left_tensorflow", "self.optimizer.apply("),
}

NOTES = {
    "subclass_call_skips_layers.py": "missing_gradients_warning",
    "py_function_numpy_layer.py": "py_function_left_tensorflow",
}

FINE = ["gather_sparse_gradient.py"]  # IndexedSlices gradients: all there, nothing to explain

SCENARIOS = sorted({*NONE, *NAN, *NOTES, *FINE})


@pytest.fixture(scope="session")
def bug_traces(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Trace]:
    """Every scenario of this file, recorded once (``test_bug_reports_2`` records the rest)."""
    out_dir = tmp_path_factory.mktemp("bug-traces")
    return record_bugs(SCENARIOS, out_dir)


def test_every_scenario_is_checked() -> None:
    assert set(SCENARIOS) <= {p.name for p in BUGS.glob("*.py")}


@pytest.mark.parametrize("name", SCENARIOS)
def test_the_recorder_had_no_internal_error(bug_traces: dict[str, Trace], name: str) -> None:
    assert not bug_traces[name].meta.get("internal_errors")


@pytest.mark.parametrize(
    ("name", "call", "source", "code", "culprit"),
    [(name, *row) for name, rows in NONE.items() for row in rows],
)
def test_none_gets_its_cause_at_its_line(
    bug_traces: dict[str, Trace], name: str, call: int, source: str, code: str, culprit: str | None
) -> None:
    check_none_cause(bug_traces[name], call, source, code, culprit)


@pytest.mark.parametrize(
    ("name", "call", "source", "code", "op", "culprit"),
    [(name, *row) for name, rows in NAN.items() for row in rows],
)
def test_nan_gets_its_cause_and_first_op(
    bug_traces: dict[str, Trace],
    name: str,
    call: int,
    source: str,
    code: str,
    op: str,
    culprit: str,
) -> None:
    trace = bug_traces[name]
    explanation = explain(trace)[call]
    sources = [label(trace, s) for s in trace.gradient_calls[call].source_ids]
    found = explanation.nonfinite[sources.index(source)]
    assert found is not None
    assert (found.cause.code, found.op) == (code, op), found.cause.sentence
    assert found.line == line_of(trace, culprit)


@pytest.mark.parametrize("name", sorted(NO_GRADIENTS))
def test_no_gradients_provided_names_the_real_cause(
    bug_traces: dict[str, Trace], name: str
) -> None:
    trace = bug_traces[name]
    cause = explain_error(trace)
    assert cause is not None, trace.error
    code, raised_at = NO_GRADIENTS[name]
    assert cause.code == "no_gradients_provided"
    assert f"({code})" in cause.sentence, cause.sentence
    assert line_of(trace, raised_at) in cause.evidence_lines


@pytest.mark.parametrize("name", sorted(NOTES))
def test_notes(bug_traces: dict[str, Trace], name: str) -> None:
    codes = [n.code for e in explain(bug_traces[name]).values() for n in e.notes]
    assert NOTES[name] in codes


@pytest.mark.parametrize("name", FINE)
def test_sparse_gradients_are_shown_and_not_explained_away(
    bug_traces: dict[str, Trace], name: str
) -> None:
    trace = bug_traces[name]
    assert not missing_gradients(trace)
    assert all(n is None for e in explain(trace).values() for n in e.nonfinite)
    [call] = trace.gradient_calls.values()
    assert all(r is not None for r in call.result_ids)


def test_a_non_trainable_source_says_so(bug_traces: dict[str, Trace]) -> None:
    missing = missing_gradient(bug_traces["batchnorm_model_variables.py"], 1, "bn/moving_mean")
    assert "not trainable" in missing.sentence
    assert "model.trainable_variables" in missing.fix


def test_a_variable_made_again_each_call_is_named(bug_traces: dict[str, Trace]) -> None:
    missing = missing_gradient(bug_traces["variable_created_in_call.py"], 2, "trained[0]")
    assert "made again later" in missing.sentence
    assert "build()" in missing.fix


def test_a_loss_ignoring_the_model_output_names_that_output(
    bug_traces: dict[str, Trace],
) -> None:
    missing = missing_gradient(bug_traces["loss_uses_only_y_true.py"], 1, "dense/kernel")
    assert "`y_pred`" in missing.sentence
    assert "is used by nothing afterwards" in missing.sentence


def test_a_where_that_dropped_a_nan_suggests_the_double_where(
    bug_traces: dict[str, Trace],
) -> None:
    found = explain(bug_traces["where_log_negative.py"])[1].nonfinite[0]
    assert found is not None
    assert "`tf.where`" in found.cause.sentence
    assert "double where" in found.cause.fix


def test_a_nan_weight_points_back_at_the_nan_gradient_applied(
    bug_traces: dict[str, Trace],
) -> None:
    found = explain(bug_traces["rmse_loss_fit.py"])[2].nonfinite[0]
    assert found is not None
    assert "gradient call 1" in found.cause.sentence
    assert "gradient call 1" in found.cause.fix


def test_a_constant_first_seen_by_name_is_not_placed_on_a_with_line(
    bug_traces: dict[str, Trace],
) -> None:
    trace = bug_traces["numpy_in_loss.py"]
    missing = missing_gradient(trace, 1, "w")
    assert f"line {line_of(trace, 'with tf.GradientTape()')}" not in missing.sentence
