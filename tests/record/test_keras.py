"""Keras training recorded for real: `fit`, a custom `train_step`, and the optimizer's
"No gradients provided for any variable" explained. Each scenario is recorded once per session."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tapetui.explain import explain_call, explain_error
from tapetui.record import record
from tapetui.record.names import distinct
from tapetui.report.build import build_report
from tapetui.trace.events import MissingGradientsEvent, OpEvent
from tapetui.trace.labels import label
from tapetui.trace.model import Trace
from tapetui.ui.describe import describe
from tapetui.ui.steps import build_steps
from tapetui.ui.why import explanations_for, missing_gradients, why_lines

from .conftest import ROOT, plain_env

KERAS = ["fit.py", "fit_no_gradients.py", "custom_train_step.py", "unused_layer.py"]
FIT_SOURCES = ["dense/kernel", "dense/bias", "dense_1/kernel", "dense_1/bias"]

APPLY_TWICE = """\
import tensorflow as tf

w = tf.Variable([1.0, 2.0])
b = tf.Variable(0.5)
optimizer = tf.keras.optimizers.SGD(0.1)
for uses_b in (True, False):
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(tf.round(w * 1.5)) + (b if uses_b else 0.0)
    grads = tape.gradient(loss, [w, b])
    optimizer.apply_gradients(zip(grads, [w, b]))  # warns, then raises
"""

REBOUND = """\
import tensorflow as tf

kept = {}
for i in range(2):
    w = tf.Variable(float(i + 1))  # `w` names one variable, then the other
    kept[i] = w
    doubled = w * 2.0
with tf.GradientTape() as tape:
    loss = kept[0] * kept[1]
print(tape.gradient(loss, [kept[0], kept[1]]))
"""

PLAIN_FIT = """
import contextlib, io, json, runpy
import numpy as np
import tensorflow as tf

source = open("scenarios/keras/fit.py", encoding="utf-8").read()
exec(source[: source.index("model.compile")])  # the scenario's data and model, as it makes them
optimizer = tf.keras.optimizers.SGD(0.1)
steps = []
for epoch in range(2):
    for start in range(0, 64, 16):
        xb, yb = x[start : start + 16], y[start : start + 16]
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(yb - model(xb, training=True)))
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply(grads, model.trainable_variables)
        steps.append([g.numpy().tolist() for g in grads])
printed = io.StringIO()
with contextlib.redirect_stdout(printed):
    runpy.run_path("scenarios/keras/fit.py", run_name="__main__")
print(json.dumps({"gradients": steps, "stdout": printed.getvalue()}))
"""


@pytest.fixture(scope="module")
def traces(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Trace]:
    """Every Keras scenario, and two small ones written here, recorded side by side."""
    folder = tmp_path_factory.mktemp("keras")
    paths = [Path("scenarios/keras") / name for name in KERAS]
    for name, text in (("apply_twice.py", APPLY_TWICE), ("rebound.py", REBOUND)):
        (folder / name).write_text(text, encoding="utf-8")
        paths.append(folder / name)
    cwd = os.getcwd()
    os.chdir(ROOT)  # named as a user types them: scenarios/keras/fit.py
    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            found = list(pool.map(record, paths))
    finally:
        os.chdir(cwd)
    return {path.name: trace for path, trace in zip(paths, found, strict=True)}


@pytest.fixture(scope="module")
def plain_fit() -> dict[str, Any]:
    """`fit.py` without tapetui: what it prints, and its 8 steps' gradients from a plain
    TensorFlow loop over the same model and data."""
    done = subprocess.run(
        [sys.executable, "-c", PLAIN_FIT],
        cwd=ROOT,
        env=plain_env(),
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        check=True,
    )
    return json.loads(done.stdout)


def line_of(trace: Trace, text: str, file: str | None = None) -> int:
    lines = trace.sources[file or trace.scenario].splitlines()
    return next(i for i, line in enumerate(lines, 1) if text in line and '"""' not in line)


def forward_ops(trace: Trace) -> list[OpEvent]:
    return [e for e in trace.events if isinstance(e, OpEvent) and not e.backward]


# --- fit ---------------------------------------------------------------------------------------


def test_fit_records_a_tape_and_a_gradient_call_per_step(traces: dict[str, Trace]) -> None:
    trace = traces["fit.py"]
    assert trace.status == "finished", trace.error
    calls = sorted(trace.gradient_calls.values(), key=lambda c: c.seq)
    assert len(calls) == 8 and len(trace.tapes) == 8
    assert len({call.tape for call in calls}) == 8
    fit_line = line_of(trace, "model.fit(")
    for call in calls:
        assert call.line == fit_line
        assert [label(trace, ref) for ref in call.source_ids] == FIT_SOURCES
        assert [label(trace, ref) for ref in call.target_ids] == ["loss"]
        assert None not in call.result_ids


def test_fit_gradients_are_what_plain_tensorflow_gives(
    traces: dict[str, Trace], plain_fit: dict[str, Any]
) -> None:
    trace = traces["fit.py"]
    calls = sorted(trace.gradient_calls.values(), key=lambda c: c.seq)
    for call, plain in zip(calls, plain_fit["gradients"], strict=True):
        recorded = [trace.tensors[ref].data for ref in call.result_ids]
        for got, want in zip(recorded, plain, strict=True):
            np.testing.assert_allclose(np.asarray(got), np.asarray(want), rtol=1e-4, atol=1e-6)


def test_an_op_in_a_dense_layer_carries_the_layer_and_the_library_frame(
    traces: dict[str, Trace],
) -> None:
    trace = traces["fit.py"]
    fit_line = line_of(trace, "model.fit(")
    matmuls = [op for op in forward_ops(trace) if op.op_type == "MatMul" and op.recorded_by]
    assert [op.layer for op in matmuls[:2]] == ["dense", "dense_1"]
    for op in matmuls:
        assert op.line == fit_line
        assert op.library is not None
        path, function = op.library.split(" · ")
        assert path.startswith("keras/src/layers/core/dense.py:") and function == "Dense.call"


def test_evaluate_runs_the_layers_without_a_tape(traces: dict[str, Trace]) -> None:
    trace = traces["fit.py"]
    evaluate_line = line_of(trace, "model.evaluate(")
    ops = [op for op in forward_ops(trace) if op.line == evaluate_line]
    assert {op.layer for op in ops if op.op_type == "MatMul"} == {"dense", "dense_1"}
    assert not any(op.recorded_by for op in ops)
    assert all(call.line != evaluate_line for call in trace.gradient_calls.values())


def test_fit_prints_what_it_prints_without_tapetui(
    traces: dict[str, Trace], plain_fit: dict[str, Any]
) -> None:
    assert traces["fit.py"].output("stdout") == plain_fit["stdout"]


# --- "No gradients provided for any variable" ---------------------------------------------------


def test_a_round_loss_is_no_gradients_provided_with_every_cause(traces: dict[str, Trace]) -> None:
    trace = traces["fit_no_gradients.py"]
    assert trace.error is not None and trace.error.type == "ValueError"
    (event,) = [e for e in trace.events if isinstance(e, MissingGradientsEvent)]
    assert (event.call, event.outcome, event.gradients) == (1, "raised", [None] * 4)
    call = trace.gradient_calls[1]
    assert [label(trace, ref) for ref in call.source_ids] == FIT_SOURCES
    causes = explain_call(trace, 1).results
    assert [c.code if c else None for c in causes] == ["non_differentiable_op"] * 4
    cause = explain_error(trace)
    assert cause is not None and cause.code == "no_gradients_provided"
    round_line = line_of(trace, "tf.round(y_pred)")
    assert f"gradient call 1 (`gradient` of `loss` at line {call.line})" in cause.sentence
    assert "Round in `return tf.reduce_mean" in cause.sentence
    assert f"(line {round_line}) has no gradient (non_differentiable_op)" in cause.sentence
    assert all(f"`{name}`" in cause.sentence for name in FIT_SOURCES)
    assert cause.evidence_lines == [round_line, call.line]


def test_the_report_explains_the_scenario_error(traces: dict[str, Trace]) -> None:
    error = build_report(traces["fit_no_gradients.py"])["error"]
    assert error["type"] == "ValueError" and error["cause"] == "no_gradients_provided"
    assert "non_differentiable_op" in error["explanation"]


def test_an_unused_layer_gets_the_warning_note(traces: dict[str, Trace]) -> None:
    trace = traces["unused_layer.py"]
    assert trace.status == "finished", trace.error
    explanation = explain_call(trace, 1)
    (note,) = [n for n in explanation.notes if n.code == "missing_gradients_warning"]
    assert "`unused/kernel` and `unused/bias`" in note.sentence
    assert "(no_path)" in note.sentence
    call = trace.gradient_calls[1]
    names = [label(trace, ref) for ref in call.source_ids]
    assert names == ["used/kernel", "used/bias", "unused/kernel", "unused/bias"]
    assert [c.code if c else None for c in explanation.results] == [
        None,
        None,
        "no_path",
        "no_path",
    ]
    # Keras's warning is printed as without tapetui: once, on stderr
    assert trace.output("stderr").count("Gradients do not exist for variables") == 1


def test_apply_gradients_is_linked_to_the_call_that_gave_its_nones(
    traces: dict[str, Trace],
) -> None:
    trace = traces["apply_twice.py"]
    warned, raised = [e for e in trace.events if isinstance(e, MissingGradientsEvent)]
    assert (warned.outcome, warned.call, raised.outcome, raised.call) == ("warned", 1, "raised", 2)
    (note,) = [n for n in explain_call(trace, 1).notes if n.code == "missing_gradients_warning"]
    assert "gradients do not exist for `w`" in note.sentence
    cause = explain_error(trace)
    assert cause is not None and cause.code == "no_gradients_provided"
    assert "gradient call 2 (`gradient` of `loss` at line 9)" in cause.sentence
    assert (
        "raised `ValueError: No gradients provided for any variable` at line 10" in cause.sentence
    )
    assert "(non_differentiable_op)" in cause.sentence and "(no_path)" in cause.sentence


# --- a custom train_step -------------------------------------------------------------------------


def test_custom_train_step_ops_are_at_the_users_lines(traces: dict[str, Trace]) -> None:
    trace = traces["custom_train_step.py"]
    assert trace.status == "finished", trace.error
    assert {tape.line for tape in trace.tapes.values()} == {line_of(trace, "tf.GradientTape()")}
    gradient_line = line_of(trace, "tape.gradient(loss")
    # fit's 2 epochs of 2 batches, then train_on_batch: each step is the scenario's train_step
    assert len(trace.gradient_calls) == 5
    assert {c.line for c in trace.gradient_calls.values()} == {gradient_line}
    first = trace.gradient_calls[1]
    assert [label(trace, ref) for ref in first.target_ids] == ["loss"]
    names = [label(trace, ref) for ref in first.source_ids]
    assert names == ["hidden/kernel", "hidden/bias", "out/kernel", "out/bias"]
    recorded = [op for op in forward_ops(trace) if 1 in op.recorded_by]
    call_line, loss_line = line_of(trace, "return self.out("), line_of(trace, "self.compute_loss(")
    assert {op.line for op in recorded} == {call_line, loss_line}
    layers = {op.layer for op in recorded if op.line == call_line}
    assert layers == {"hidden", "out"}
    assert {op.layer for op in recorded if op.line == loss_line} == {None}


# --- two variables never share a name ------------------------------------------------------------


def test_two_variables_bound_to_one_name_are_told_apart(traces: dict[str, Trace]) -> None:
    trace = traces["rebound.py"]
    (call,) = trace.gradient_calls.values()
    names = [label(trace, ref) for ref in call.source_ids]
    assert names == ["w", "w#2"]
    assert [trace.tensors[r].data for r in call.result_ids] == [2.0, 1.0]


def test_repeated_names_are_told_apart_the_first_keeps_its_name() -> None:
    names = ["layer.kernel", "layer.kernel", "layer.kernel", "w", "w#2", "w"]
    alternatives = [None, "model/dense_1/kernel", None, None, None, None]
    assert distinct(names, alternatives) == [
        "layer.kernel",
        "model/dense_1/kernel",
        "layer.kernel#2",
        "w",
        "w#2",
        "w#3",
    ]


# --- on screen -----------------------------------------------------------------------------------


def test_the_step_pane_shows_the_library_frame_and_the_layer(traces: dict[str, Trace]) -> None:
    trace = traces["fit.py"]
    steps = build_steps(trace)
    step = next(s for s in steps if isinstance(s.event, OpEvent) and s.event.op_type == "MatMul")
    texts = [text for text, _ in describe(trace, step, explanations_for(trace))]
    assert texts[1:3] == ["in keras …/dense.py · Dense.call", "layer dense"]


def test_w_explains_the_optimizers_error_first(traces: dict[str, Trace]) -> None:
    trace = traces["fit_no_gradients.py"]
    explanations = explanations_for(trace)
    missing = missing_gradients(trace, explanations)
    assert len(missing) == 5  # the optimizer's error, then the four Nones of gradient call 1
    texts = [text for text, _ in why_lines(trace, missing, 0)]
    assert texts[0] == f"why did the optimizer raise ValueError? (line {trace.error.line})"
    assert "cause: no_gradients_provided" in texts
    error_step = build_steps(trace)[-1]
    shown = [text for text, _ in describe(trace, error_step, explanations)]
    assert "cause: no_gradients_provided" in shown


def test_the_installed_keras_has_what_the_optimizer_hook_wraps() -> None:
    from tapetui.record import tf_hooks

    optimizer = tf_hooks.keras_base_optimizer()
    assert optimizer is not None and optimizer.__name__ == "BaseOptimizer"
