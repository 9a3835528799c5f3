"""A ``tf.function`` train step that builds its model and fails while tracing ("No gradients
provided for any variable", at ``apply_gradients``) is still recorded: the variables its trace
made are initialised, unrecorded, as TensorFlow does once a trace is done, and the body runs
eagerly, so the gradient call that gave the ``None``s explains the error. What the scenario
prints is what it prints without tapetui."""

from __future__ import annotations

from pathlib import Path

from tapetui.explain import explain_call

from .conftest import plain_and_recorded

STEP_BUILDS_THE_MODEL = """\
import numpy as np
import tensorflow as tf

model = tf.keras.Sequential([tf.keras.layers.Dense(1)])
opt = tf.keras.optimizers.Adam(0.01)
x = np.ones((8, 2), np.float32)
y = x.sum(1, keepdims=True)

@tf.function
def train_step(x, y):
    pred = model(x)
    loss = tf.reduce_mean((pred - y) ** 2)
    with tf.GradientTape() as tape:
        tape.watch(loss)
    grads = tape.gradient(loss, model.trainable_variables)
    opt.apply_gradients(zip(grads, model.trainable_variables))
    return loss

try:
    train_step(x, y)
except ValueError as e:
    print("raised", type(e).__name__, "No gradients provided" in str(e))
print("built", model.built, len(model.trainable_variables))
"""


def test_a_step_whose_trace_fails_is_recorded_and_explained(tmp_path: Path) -> None:
    plain, trace = plain_and_recorded(tmp_path, "step.py", STEP_BUILDS_THE_MODEL)
    assert trace.output("stdout") == plain.stdout
    assert plain.stdout.splitlines() == ["raised ValueError True", "built True 2"]
    (tape,) = trace.tapes.values()
    assert tape.line == 13
    (call,) = trace.gradient_calls.values()
    assert call.line == 15
    causes = explain_call(trace, call.id).results
    assert [c.code if c else None for c in causes] == ["outside_tape", "outside_tape"]
    for cause in causes:
        assert cause is not None and {11, 13} <= set(cause.evidence_lines)
        assert "`pred = model(x)` (line 11) ran before `tape` started recording at line 13" in (
            cause.sentence
        )
