"""The explainer on a second round of real bug reports (``scenarios/bugs``): what each user would
check in the report — the cause of each None and each NaN, the line it names, the variable, and
the sentence's key facts.

The scenarios are recorded once for this module, in two child processes side by side
(``tests.explain.batch_record``), as ``test_bug_reports.py`` does for the first round. Expected
lines are found by a piece of the culprit statement, so the scenarios can be edited.
"""

from __future__ import annotations

import pytest

from tapetui.explain import explain, explain_error
from tapetui.explain.causes import Cause
from tapetui.explain.missing import missing_gradients
from tapetui.trace.labels import label
from tapetui.trace.model import Trace
from tests.explain import test_bug_reports as first_round
from tests.explain import test_bug_reports_3 as third_round
from tests.explain import test_bug_reports_4 as fourth_round
from tests.explain.bug_traces import BUGS, check_none_cause, line_of, missing_gradient, record_bugs

NONE: dict[str, list[tuple[int, str, str, str | None]]] = {
    # scenario: [(gradient call, source, cause, a piece of the culprit line), ...]
    "tensor_rebound_after_step.py": [
        (2, "x", "variable_rebound", "x = x - 0.1 * grad"),
        (3, "x", "variable_rebound", "x = x - 0.1 * grad"),
    ],
    "gradient_inside_with_unwatched_sum.py": [(1, "x", "not_watched", "z = x + y")],
    "keras_predict_in_tape.py": [(1, "image", "left_tensorflow", "encoder.predict(")],
    "floor_threshold_loss.py": [(1, "w", "non_differentiable_op", "tf.floor(")],
    "round_count_accuracy_loss.py": [
        (1, "p/kernel", "non_differentiable_op", "tf.round(prediction)"),
        (1, "p/bias", "non_differentiable_op", "tf.round(prediction)"),
    ],
    "numpy_function_rank_loss.py": [(1, "w", "left_tensorflow", "tf.numpy_function(")],
    "unused_variable_zero_gradient.py": [(1, "b", "no_path", None), (2, "b", "no_path", None)],
    "nested_tape_outer_unwatched.py": [(2, "x", "not_watched", None)],
    "watch_accessed_false_model.py": [
        (1, "head/kernel", "watch_accessed_off", "tf.GradientTape(watch_accessed"),
        (1, "head/bias", "watch_accessed_off", "tf.GradientTape(watch_accessed"),
    ],
    "dataset_map_uses_variable.py": [(1, "scale", "non_differentiable_op", ".map(lambda")],
    "gather_index_gradient.py": [(1, "index", "non_float_dtype", "index = tf.Variable(1")],
    "argmax_labels_in_loss.py": [
        (1, "logits/kernel", "non_differentiable_op", "tf.argmax("),
        (1, "logits/bias", "non_differentiable_op", "tf.argmax("),
    ],
    "keras_train_step_prediction_outside_tape.py": [
        (1, "out/kernel", "outside_tape", "y_pred = self(x"),
        (1, "out/bias", "outside_tape", "y_pred = self(x"),
    ],
    "stop_gradient_on_prediction.py": [
        (1, "online/kernel", "stop_gradient", "q = tf.stop_gradient("),
        (1, "online/bias", "stop_gradient", "q = tf.stop_gradient("),
    ],
    "cast_prediction_to_int.py": [(1, "w", "non_float_dtype", "tf.cast(pred, tf.int32)")],
    "watch_uint8_image.py": [(1, "image", "non_float_dtype", "tape.watch(image)")],
    "gan_gradient_from_wrong_tape.py": [
        (1, "gen/kernel", "other_tape", "as gen_tape"),
        (1, "gen/bias", "other_tape", "as gen_tape"),
    ],
}
"""What a reader of each report and scenario expects; the explainer never sees these."""

NAN: dict[str, list[tuple[int, str, str, str, str]]] = {
    # scenario: [(gradient call, source, cause, first op, a piece of its line), ...]
    "triplet_loss_identical_pair.py": [
        (1, "embed.kernel", "infinite_local_derivative", "Sqrt", "d_pos = tf.sqrt(")
    ],
    "mixed_float16_overflow.py": [(1, "w", "overflow", "MatMul", "prediction = tf.linalg")],
    "naive_softmax_overflow.py": [(1, "w", "nan_in_forward", "Exp", "exps = tf.exp(")],
    "standardize_constant_feature.py": [(1, "w", "nan_in_forward", "RealDiv", "/ std")],
    "recurrent_product_explodes.py": [(1, "w", "nan_in_forward", "Mul", "h = w * h")],
    "masked_mean_empty_mask.py": [(1, "w", "nan_in_forward", "RealDiv", "/ tf.reduce_sum(mask)")],
}

NO_GRADIENTS = {  # the optimizer raised "No gradients provided": a piece of the line
    "floor_threshold_loss.py": ("non_differentiable_op", "optimizer.apply_gradients("),
    "numpy_function_rank_loss.py": ("left_tensorflow", "optimizer.apply_gradients("),
    "argmax_labels_in_loss.py": ("non_differentiable_op", "optimizer.apply_gradients("),
    "keras_train_step_prediction_outside_tape.py": (
        "outside_tape",
        "self.optimizer.apply_gradients(",
    ),
}

NOTES = {
    "gradient_inside_with_unwatched_sum.py": "gradient_inside_context",
    "unused_variable_zero_gradient.py": "zeros_instead_of_none",
    "variables_in_appended_list.py": "no_sources",
    "trainable_variables_before_build.py": "no_sources",
    "layer_created_in_call.py": "no_sources",
}

OTHERS = [  # checked one by one below
    "clip_by_norm_zero_vector.py",
    "where_sqrt_zero_row.py",
    "variable_created_in_tf_function.py",
    "gradient_sources_with_python_float.py",
]

SCENARIOS = sorted({*NONE, *NAN, *NOTES, *OTHERS})


@pytest.fixture(scope="module")
def traces(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Trace]:
    """Every scenario of this round, recorded once."""
    out_dir = tmp_path_factory.mktemp("bug-traces-2")
    return record_bugs(SCENARIOS, out_dir)


def _nan_cause(trace: Trace, call: int, source: str) -> Cause:
    sources = [label(trace, s) for s in trace.gradient_calls[call].source_ids]
    found = explain(trace)[call].nonfinite[sources.index(source)]
    assert found is not None
    return found.cause


def _note(trace: Trace, code: str) -> str:
    texts = [n.sentence for e in explain(trace).values() for n in e.notes if n.code == code]
    assert texts, [n.code for e in explain(trace).values() for n in e.notes]
    return texts[0]


def test_every_scenario_of_scenarios_bugs_is_checked_by_one_round() -> None:
    names = {p.name for p in BUGS.glob("*.py")}
    rounds = [
        set(SCENARIOS),
        *(set(r.SCENARIOS) for r in (first_round, third_round, fourth_round)),
    ]
    assert names == set().union(*rounds)
    assert sum(map(len, rounds)) == len(names)  # no scenario in two rounds


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


@pytest.mark.parametrize(
    ("name", "call", "source", "code", "op", "culprit"),
    [(name, *row) for name, rows in NAN.items() for row in rows],
)
def test_nan_gets_its_cause_and_first_op(
    traces: dict[str, Trace], name: str, call: int, source: str, code: str, op: str, culprit: str
) -> None:
    trace = traces[name]
    sources = [label(trace, s) for s in trace.gradient_calls[call].source_ids]
    found = explain(trace)[call].nonfinite[sources.index(source)]
    assert found is not None
    assert (found.cause.code, found.op) == (code, op), found.cause.sentence
    assert found.line == line_of(trace, culprit)


@pytest.mark.parametrize("name", sorted(NO_GRADIENTS))
def test_no_gradients_provided_names_the_real_cause(traces: dict[str, Trace], name: str) -> None:
    trace = traces[name]
    cause = explain_error(trace)
    assert cause is not None, trace.error
    code, raised_at = NO_GRADIENTS[name]
    assert cause.code == "no_gradients_provided"
    assert f"({code})" in cause.sentence, cause.sentence
    assert line_of(trace, raised_at) in cause.evidence_lines


@pytest.mark.parametrize("name", sorted(NOTES))
def test_notes(traces: dict[str, Trace], name: str) -> None:
    _note(traces[name], NOTES[name])


def test_a_tensor_rebound_by_an_update_says_to_assign(traces: dict[str, Trace]) -> None:
    missing = missing_gradient(traces["tensor_rebound_after_step.py"], 2, "x")
    assert "assign_sub" in missing.fix
    [first] = [c for c in traces["tensor_rebound_after_step.py"].gradient_calls.values()][:1]
    assert first.result_ids[0] is not None  # the first step, with the variable, had its 6.0


def test_predict_is_named_as_leaving_tensorflow_not_the_dataset_it_runs_on(
    traces: dict[str, Trace],
) -> None:
    missing = missing_gradient(traces["keras_predict_in_tape.py"], 1, "image")
    assert "`model(x)` instead of `model.predict(x)`" in missing.fix
    assert "tf.data" not in missing.sentence


def test_numpy_function_is_where_the_value_left(traces: dict[str, Trace]) -> None:
    missing = missing_gradient(traces["numpy_function_rank_loss.py"], 1, "w")
    assert "`tf.numpy_function`" in missing.sentence
    assert "is used by nothing afterwards" not in missing.sentence
    assert "tf.custom_gradient" in missing.fix


def test_a_variable_used_in_dataset_map_names_the_pipeline_and_its_iterator(
    traces: dict[str, Trace],
) -> None:
    trace = traces["dataset_map_uses_variable.py"]
    missing = missing_gradient(trace, 1, "scale")
    assert "tf.data pipeline" in missing.sentence
    assert f"line {line_of(trace, 'next(iter(data))')}" in missing.sentence
    assert "after they come out of the dataset" in missing.fix


def test_watch_accessed_off_with_built_variables_says_to_watch_their_values(
    traces: dict[str, Trace],
) -> None:
    missing = missing_gradient(traces["watch_accessed_false_model.py"], 1, "head/kernel")
    assert "tape.watch(v.value)" in missing.fix
    assert "build" not in missing.fix  # the variables existed before the tape


def test_the_outer_tape_is_the_one_named_for_a_second_derivative(
    traces: dict[str, Trace],
) -> None:
    missing = missing_gradient(traces["nested_tape_outer_unwatched.py"], 2, "x")
    assert "`outer`" in missing.sentence
    assert "outer.watch(x)" in missing.fix


def test_an_empty_list_of_sources_names_the_variables_the_loss_used(
    traces: dict[str, Trace],
) -> None:
    text = _note(traces["variables_in_appended_list.py"], "no_sources")
    assert "factor0" in text and "factor1" in text
    assert "self.add_weight" in text


def test_a_list_taken_before_the_model_was_built_says_when_it_was_built(
    traces: dict[str, Trace],
) -> None:
    trace = traces["trainable_variables_before_build.py"]
    text = _note(trace, "no_sources")
    assert "no variables until it is built" in text
    assert f"line {line_of(trace, 'loss = tf.reduce_mean(tf.square(model(x)')}" in text


def test_a_layer_made_in_call_is_named_as_made_at_every_call(traces: dict[str, Trace]) -> None:
    trace = traces["layer_created_in_call.py"]
    text = _note(trace, "no_sources")
    assert f"line {line_of(trace, 'return dense(x)')}" in text  # where the layer builds
    assert "new ones at every call" in text
    assert "`__init__`" in text


def test_the_gan_generator_asked_of_the_wrong_tape_names_the_right_one(
    traces: dict[str, Trace],
) -> None:
    missing = missing_gradient(traces["gan_gradient_from_wrong_tape.py"], 1, "gen/kernel")
    assert "`disc_tape`" in missing.sentence
    assert "gen_tape.gradient(" in missing.fix


def test_a_watched_integer_image_says_to_cast_before_watching(traces: dict[str, Trace]) -> None:
    missing = missing_gradient(traces["watch_uint8_image.py"], 1, "image")
    assert "uint8" in missing.sentence
    assert "tf.cast(image, tf.float32)" in missing.fix
    assert "tf.Variable(3.0)" not in missing.fix


def test_a_division_by_zero_suggests_a_safe_divisor(traces: dict[str, Trace]) -> None:
    for name in ("standardize_constant_feature.py", "masked_mean_empty_mask.py"):
        cause = _nan_cause(traces[name], 1, "w")
        assert "divide_no_nan" in cause.fix, name
        assert "log_softmax" not in cause.fix, name


def test_values_growing_past_float32_suggest_keeping_them_in_range(
    traces: dict[str, Trace],
) -> None:
    cause = _nan_cause(traces["recurrent_product_explodes.py"], 1, "w")
    assert "float32's range" in cause.fix
    assert "learning rate" in cause.fix


def test_a_float16_overflow_in_a_matmul_is_an_overflow_not_an_infinite_derivative(
    traces: dict[str, Trace],
) -> None:
    cause = _nan_cause(traces["mixed_float16_overflow.py"], 1, "w")
    assert "float16's largest value 65504" in cause.sentence
    assert "`loss` is already inf in the forward pass" in cause.sentence
    assert "float32" in cause.fix


def test_the_naive_softmax_suggests_a_stable_form(traces: dict[str, Trace]) -> None:
    cause = _nan_cause(traces["naive_softmax_overflow.py"], 1, "w")
    assert "logits = 120.0" in cause.sentence
    assert "tf.nn.log_softmax" in cause.fix


def test_the_identical_triplet_pair_is_sqrt_at_zero(traces: dict[str, Trace]) -> None:
    cause = _nan_cause(traces["triplet_loss_identical_pair.py"], 1, "embed.kernel")
    assert "= 0.0" in cause.sentence
    assert "epsilon" in cause.fix


@pytest.mark.parametrize("name", ["clip_by_norm_zero_vector.py", "where_sqrt_zero_row.py"])
def test_reports_fixed_in_this_tensorflow_show_a_finite_gradient_and_no_cause(
    traces: dict[str, Trace], name: str
) -> None:
    trace = traces[name]
    assert not missing_gradients(trace)
    assert all(n is None for e in explain(trace).values() for n in e.nonfinite)


def test_clip_by_norm_of_zero_has_gradient_one(traces: dict[str, Trace]) -> None:
    trace = traces["clip_by_norm_zero_vector.py"]
    [call] = trace.gradient_calls.values()
    result = call.result_ids[0]
    assert result is not None
    assert trace.tensors[result].data == [1.0, 1.0, 1.0]


def test_a_variable_made_in_every_tf_function_call_names_its_line(
    traces: dict[str, Trace],
) -> None:
    trace = traces["variable_created_in_tf_function.py"]
    cause = explain_error(trace)
    assert cause is not None
    assert cause.code == "variable_in_function"
    line = line_of(trace, "w = tf.Variable(1.0")
    assert f"Line {line}" in cause.sentence
    assert line in cause.evidence_lines
    assert "outside the function" in cause.fix


def test_a_python_float_among_the_sources_is_named(traces: dict[str, Trace]) -> None:
    trace = traces["gradient_sources_with_python_float.py"]
    [call] = trace.gradient_calls.values()
    cause = explain(trace)[call.id].error
    assert cause is not None
    assert cause.code == "exception"
    assert "0.5" in cause.sentence
    assert "not a tensor or a variable" in cause.sentence
