"""Keras 2 (``tf-keras`` with ``TF_USE_LEGACY_KERAS=1``): ``tf.keras`` layers' variables are
``tf.Variable``s, so watching one watches it, and tapetui names it as the scenario does.

Skipped unless ``tf_keras`` is installed and selected: it is never installed in the main
environment (``compat/run --keras2`` runs these in a venv of their own).
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest

from tapetui.explain import explain_call
from tapetui.record import record
from tapetui.trace.events import WatchEvent
from tapetui.trace.labels import label
from tapetui.trace.model import Trace

from .conftest import ROOT

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("tf_keras") is None or os.environ.get("TF_USE_LEGACY_KERAS") != "1",
    reason="Keras 2: needs tf-keras and TF_USE_LEGACY_KERAS=1 (compat/run --keras2)",
)

WATCH_KERNEL = """\
import tensorflow as tf
import tf_keras

print("keras", tf_keras.__version__, tf.keras.layers.Dense.__module__.split(".")[0])
layer = tf.keras.layers.Dense(2, kernel_initializer="ones", bias_initializer="zeros")
x = tf.constant([[1.0, 2.0]])
layer(x)  # built: kernel and bias exist
with tf.GradientTape(watch_accessed_variables=False) as tape:
    tape.watch(layer.kernel)  # Keras 2: a tf.Variable, watched (Keras 3 rejects this watch)
    y = tf.reduce_sum(layer(x))
grads = tape.gradient(y, [layer.kernel, layer.bias])
print(grads[0].numpy().tolist(), grads[1])
"""


@pytest.fixture(scope="module")
def traces(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Trace]:
    folder = tmp_path_factory.mktemp("keras2")
    (folder / "watch_kernel.py").write_text(WATCH_KERNEL, encoding="utf-8")
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        return {
            "watch_kernel.py": record(folder / "watch_kernel.py"),
            "keras_watch.py": record(Path("scenarios/keras_watch.py")),
            "fit.py": record(Path("scenarios/keras/fit.py")),
        }
    finally:
        os.chdir(cwd)


def _variables(trace: Trace) -> dict[str, str]:
    """Each variable's Python name -> its TensorFlow name."""
    return {v.pyname or "": v.name for v in trace.variables.values()}


def test_tf_keras_is_keras_2(traces: dict[str, Trace]) -> None:
    trace = traces["watch_kernel.py"]
    assert trace.status == "finished", trace.error
    _, version, package = trace.output("stdout").splitlines()[0].split()
    assert version.startswith("2.") and package == "tf_keras"


def test_layer_variables_are_recorded_and_named(traces: dict[str, Trace]) -> None:
    names = _variables(traces["watch_kernel.py"])
    assert names["layer.kernel"] == "dense/kernel"
    assert names["layer.bias"] == "dense/bias"


def test_watching_a_keras_2_variable_watches_it(traces: dict[str, Trace]) -> None:
    trace = traces["watch_kernel.py"]
    (watch,) = [e for e in trace.events if isinstance(e, WatchEvent) and e.explicit]
    assert [(i.label, i.status, i.reason) for i in watch.items] == [
        ("layer.kernel", "watched", None)
    ]
    assert watch.error is None
    (call,) = trace.gradient_calls.values()
    kernel, bias = call.result_ids
    assert trace.tensors[kernel].data == [[1.0, 1.0], [2.0, 2.0]]
    assert bias is None  # not watched, and not read while watching accesses was off
    explanation = explain_call(trace, call.id)
    codes = [None if c is None else c.code for c in explanation.results]
    assert codes == [None, "watch_accessed_off"] and explanation.error is None


def test_an_unbuilt_layers_empty_watch_is_not_a_rejected_watch(traces: dict[str, Trace]) -> None:
    """``tape.watch(a.variables)`` before ``a`` is built watches an empty list, in Keras 2 as in
    Keras 3: the kernel and bias get no gradient because accesses were not watched."""
    trace = traces["keras_watch.py"]
    assert trace.status == "finished", trace.error
    first, second = sorted(trace.gradient_calls.values(), key=lambda c: c.seq)
    assert first.result_ids == [None, None] and None not in second.result_ids
    causes = explain_call(trace, first.id).results
    assert [None if c is None else c.code for c in causes] == ["watch_accessed_off"] * 2
    assert all(c is None for c in explain_call(trace, second.id).results)
    kernel = trace.variables[second.source_ids[0]]
    assert kernel.name == "dense_2/kernel" and kernel.pyname == "a.kernel"


def test_fit_is_recorded_step_by_step_in_keras_words(traces: dict[str, Trace]) -> None:
    """Keras 2's ``fit`` (a ``tf.function`` train step, run eagerly while recording): a gradient
    call a step, its sources by their layer paths, its target as Keras's code named it."""
    trace = traces["fit.py"]
    assert trace.status == "finished", trace.error
    calls = sorted(trace.gradient_calls.values(), key=lambda c: c.seq)
    assert len(calls) == 8
    for call in calls:
        assert [label(trace, r) for r in call.source_ids] == [
            "dense/kernel",
            "dense/bias",
            "dense_1/kernel",
            "dense_1/bias",
        ]
        assert [label(trace, r) for r in call.target_ids] == ["loss"]
        assert None not in call.result_ids
