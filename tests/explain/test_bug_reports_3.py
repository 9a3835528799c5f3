"""The explainer and the recorder on a third round of real bug reports and TensorFlow patterns
(``scenarios/bugs``): each None's cause and line, the optimizer's error, and the values of the
gradients that arrive, as TensorFlow printed them.

The scenarios are recorded once for this module, in two child processes side by side
(``tests.explain.batch_record``), as the other rounds are. Expected lines are found by a piece of
the culprit statement, so the scenarios can be edited.
"""

from __future__ import annotations

from typing import Any

import pytest

from tapetui.explain import explain, explain_error
from tapetui.report import render_text
from tapetui.trace.labels import label
from tapetui.trace.model import Trace
from tests.explain.bug_traces import check_none_cause, line_of, missing_gradient, record_bugs

NONE: dict[str, list[tuple[int, str, str, str | None]]] = {
    # scenario: [(gradient call, source, cause, a piece of the culprit line), ...]
    "keras_lambda_numpy_asarray.py": [
        (1, "d/kernel", "left_tensorflow", "loss = tf.reduce_sum(model(x))"),
        (1, "d/bias", "left_tensorflow", "loss = tf.reduce_sum(model(x))"),
    ],
    "constant_remade_from_numpy.py": [(2, "x", "no_path", None)],
    "watch_one_of_two_variables.py": [
        (1, "enc", "watch_accessed_off", "tf.GradientTape(watch_accessed_variables=False)")
    ],
    "tf_function_argmax_accuracy_loss.py": [(1, "w", "non_differentiable_op", "tf.argmax(")],
    "custom_gradient_returns_none.py": [(1, "w", "non_differentiable_op", "clip_op(w * 2.0)")],
}
"""What a reader of each report and scenario expects; the explainer never sees these."""

VALUES: dict[str, list[tuple[int, str, Any]]] = {
    # scenario: [(gradient call, source, the value TensorFlow printed), ...]
    "gradient_twice_non_persistent.py": [(1, "a", 3.0)],
    "watch_one_of_two_variables.py": [(1, "dec", 6.0)],
    "constant_remade_from_numpy.py": [(1, "x", [2.0, 4.0])],
    "jacobian_with_and_without_pfor.py": [
        (call, "x", [[[4.0, 2.0], [2.0, 6.0]], [[8.0, 2.0], [2.0, 10.0]]]) for call in (2, 4)
    ],
    "control_flow_in_tf_function.py": [(1, "x", 6.75), (2, "w", [6.5403, 7.58385, 5.01001])],
    "tf_module_lazy_variables.py": [(1, "layer.w", [[6.0], [12.0]])],
    "keras_custom_train_step_compute_loss.py": [
        (1, "out/kernel", [[23.0], [32.0]]),
        (1, "out/bias", [9.0]),
    ],
    "one_device_strategy_step.py": [(1, "w", [[6.0], [12.0]])],
    "ragged_row_mean.py": [(1, "scale", 9.5)],
}
"""Each gradient that arrived, as the scenario's print showed it (to 5 significant digits)."""

SCENARIOS = sorted({*NONE, *VALUES})


@pytest.fixture(scope="module")
def traces(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Trace]:
    """Every scenario of this round, recorded once."""
    return record_bugs(SCENARIOS, tmp_path_factory.mktemp("bug-traces-3"))


def _rounded(value: Any) -> Any:
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    return float(f"{value:.6g}")


def _result(trace: Trace, call: int, source: str) -> Any:
    gradient_call = trace.gradient_calls[call]
    sources = [label(trace, s) for s in gradient_call.source_ids]
    result = gradient_call.result_ids[sources.index(source)]
    assert result is not None, (call, source)
    return trace.tensors[result].data


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
    ("name", "call", "source", "value"),
    [(name, *row) for name, rows in VALUES.items() for row in rows],
)
def test_a_gradient_that_arrived_has_tensorflows_value(
    traces: dict[str, Trace], name: str, call: int, source: str, value: Any
) -> None:
    assert _rounded(_result(traces[name], call, source)) == value


def test_a_numpy_read_in_a_lambda_layer_is_where_the_value_left(
    traces: dict[str, Trace],
) -> None:
    missing = missing_gradient(traces["keras_lambda_numpy_asarray.py"], 1, "d/kernel")
    assert "read by NumPy" in missing.sentence
    assert "`d(x)`" in missing.sentence  # the Dense layer's output, the value NumPy read
    assert "np.*" in missing.fix


def test_a_custom_gradient_returning_none_is_named_not_its_identity_op(
    traces: dict[str, Trace],
) -> None:
    trace = traces["custom_gradient_returns_none.py"]
    missing = missing_gradient(trace, 1, "w")
    assert "`tf.custom_gradient` function `clip_op`" in missing.sentence
    assert "Identity" not in missing.sentence
    [cause] = explain(trace)[1].results
    assert cause is not None
    assert "clip_op: the gradient stops here" in [e.text for e in cause.evidence]
    assert "`clip_op` return a tensor for each input" in missing.fix


def test_a_constant_remade_from_the_same_numpy_array_blames_no_earlier_numpy_call(
    traces: dict[str, Trace],
) -> None:
    trace = traces["constant_remade_from_numpy.py"]
    missing = missing_gradient(trace, 2, "x")
    assert ".numpy()" not in missing.sentence
    assert line_of(trace, "print(tape.gradient(y, x).numpy()") not in missing.evidence_lines


def test_the_second_call_on_a_used_tape_names_the_first(traces: dict[str, Trace]) -> None:
    trace = traces["gradient_twice_non_persistent.py"]
    cause = explain(trace)[2].error
    assert cause is not None
    assert cause.code == "persistent_reuse"
    assert f"the call at line {line_of(trace, 'float(tape.gradient(loss, a))')}" in cause.sentence
    assert "persistent=True" in cause.fix
    assert trace.error is not None and trace.error.type == "RuntimeError"


def test_no_gradients_from_a_compiled_step_names_argmax(traces: dict[str, Trace]) -> None:
    trace = traces["tf_function_argmax_accuracy_loss.py"]
    cause = explain_error(trace)
    assert cause is not None
    assert cause.code == "no_gradients_provided"
    assert "(non_differentiable_op)" in cause.sentence
    assert line_of(trace, "opt.apply_gradients(") in cause.evidence_lines


def test_every_jacobian_call_was_recorded_both_ways(traces: dict[str, Trace]) -> None:
    trace = traces["jacobian_with_and_without_pfor.py"]
    methods = [call.method for call in trace.gradient_calls.values()]
    assert methods == ["jacobian", "batch_jacobian"] * 2
    first = _result(trace, 1, "x")
    assert first[0][0] == [[3.0, 1.0], [1.0, 1.0]]  # dy[0,0]/dx = 2·x[0,0]·δ + 1
    assert _result(trace, 3, "x") == first


def test_the_function_pfor_compiles_is_not_said_to_be_seen_without_graph(
    traces: dict[str, Trace],
) -> None:
    text = render_text(traces["jacobian_with_and_without_pfor.py"])
    assert "ran compiled (as TensorFlow itself runs them: pfor, tf.data …)" in text
    assert "record without --graph" not in text  # it was recorded without --graph
