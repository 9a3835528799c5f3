"""Keras 2 (``tf-keras`` with ``TF_USE_LEGACY_KERAS=1``): an optimizer given ``None`` gradients
is recorded and explained as with Keras 3 (its warning, its ``No gradients provided`` error, the
legacy optimizers too), and a ``watch()`` of a symbolic input gets a fix for symbolic inputs.

Skipped unless ``tf_keras`` is installed and selected (``compat/run --keras2``).
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest

from tapetui.explain import explain_call, explain_error
from tapetui.record import record
from tapetui.trace.events import MissingGradientsEvent
from tapetui.trace.model import Trace

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("tf_keras") is None or os.environ.get("TF_USE_LEGACY_KERAS") != "1",
    reason="Keras 2: needs tf-keras and TF_USE_LEGACY_KERAS=1 (compat/run --keras2)",
)

SOME_MISSING = """\
import tensorflow as tf

layer = tf.keras.layers.Dense(1, kernel_initializer="ones")
x = tf.constant([[1.0, 2.0]])
layer(x)
unused = tf.Variable(1.0, name="unused")
optimizer = tf.keras.optimizers.SGD(0.1)
with tf.GradientTape() as tape:
    loss = tf.reduce_sum(layer(x))
variables = [*layer.trainable_variables, unused]
grads = tape.gradient(loss, variables)
optimizer.apply_gradients(zip(grads, variables))
print("kernel", layer.kernel.numpy().ravel().tolist(), "unused", unused.numpy())
"""

ALL_MISSING = """\
import tensorflow as tf

w = tf.Variable([1.0, 2.0], name="w")
optimizer = tf.keras.optimizers.legacy.SGD(0.1)
with tf.GradientTape() as tape:
    loss = tf.round(w * 2.0)
grads = tape.gradient(loss, [w])
optimizer.apply_gradients(zip(grads, [w]))
"""

WATCH_INPUT = """\
import tensorflow as tf

inputs = tf.keras.Input(shape=(2,))
model = tf.keras.Model(inputs, tf.keras.layers.Dense(1)(inputs))
x = tf.constant([[1.0, 2.0]])
with tf.GradientTape() as tape:
    try:
        tape.watch(model.inputs)
    except ValueError:
        print("watch refused a symbolic input")
    y = tf.reduce_sum(model(x))
print(tape.gradient(y, model.inputs))
"""


@pytest.fixture(scope="module")
def traces(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Trace]:
    folder = tmp_path_factory.mktemp("keras2_optimizers")
    scenarios = {"some": SOME_MISSING, "all": ALL_MISSING, "watch": WATCH_INPUT}
    for name, text in scenarios.items():
        (folder / f"{name}.py").write_text(text, encoding="utf-8")
    return {name: record(Path(folder / f"{name}.py"), timeout=240) for name in scenarios}


def _missing(trace: Trace) -> MissingGradientsEvent:
    [event] = [e for e in trace.events if isinstance(e, MissingGradientsEvent)]
    return event


def test_an_optimizer_that_skips_a_none_gradient_is_noted(traces: dict[str, Trace]) -> None:
    trace = traces["some"]
    assert trace.status == "finished", trace.error
    assert (
        trace.output("stdout").strip()
        == "kernel [0.8999999761581421, 0.800000011920929] unused 1.0"
    )
    event = _missing(trace)
    assert (event.outcome, event.call, event.line) == ("warned", 1, 12)
    assert event.gradients[-1] is None and None not in event.gradients[:-1]
    [note] = [n for n in explain_call(trace, 1).notes if n.code == "missing_gradients_warning"]
    assert "The optimizer at line 12 warned that gradients do not exist for `unused`" in (
        note.sentence
    )
    assert "`loss` does not depend on `unused` (no_path)" in note.sentence


def test_a_legacy_optimizer_given_no_gradient_at_all_is_explained(
    traces: dict[str, Trace],
) -> None:
    trace = traces["all"]
    assert trace.status == "raised" and trace.error is not None
    assert trace.error.message.startswith("No gradients provided for any variable: (['w:0'],)")
    assert (_missing(trace).outcome, _missing(trace).call) == ("raised", 1)
    cause = explain_error(trace)
    assert cause is not None and cause.code == "no_gradients_provided"
    assert "at line 8: all 1 gradients it was given are None" in cause.sentence
    assert "gradient call 1 (`gradient` of `loss` at line 7)" in cause.sentence
    assert "(non_differentiable_op)" in cause.sentence


def test_a_watch_of_a_symbolic_input_gets_the_symbolic_input_fix(
    traces: dict[str, Trace],
) -> None:
    trace = traces["watch"]
    explanation = explain_call(trace, 1)
    assert explanation.error is not None and explanation.error.code == "watch_rejected"
    assert "KerasTensor" in explanation.error.sentence
    fix = explanation.error.fix
    assert "Keras 3" not in fix
    assert fix.startswith("`model.inputs` and `tf.keras.Input` are symbolic")
