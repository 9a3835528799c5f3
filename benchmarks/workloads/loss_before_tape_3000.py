"""A linear regression whose loss is computed before the tape, 3,000 steps: every gradient None.

The bug the explainer names ``outside_tape`` in every call: the loss line sits above
``with tf.GradientTape()``, so the tape records only the metric inside it. The update is
skipped when a gradient is missing, so the loop runs to the end (as a guarded loop would).
"""

import os

import numpy as np
import tensorflow as tf

STEPS = int(os.environ.get("TAPETUI_BENCH_STEPS", "3000"))

X = tf.constant(np.linspace(0.0, 10.0, 17, dtype=np.float32))
y_true = tf.constant(np.linspace(1.0, 3.5, 17, dtype=np.float32))
W = tf.Variable(tf.random.normal([1]), name="weight")
b = tf.Variable(tf.zeros([1]), name="bias")

skipped = 0
for _step in range(STEPS):
    y_pred = W * X + b
    loss = tf.reduce_mean(tf.square(y_pred - y_true))
    with tf.GradientTape() as tape:
        mae = tf.reduce_mean(tf.abs(y_pred - y_true))
    dW, db = tape.gradient(loss, [W, b])
    if dW is None or db is None:
        skipped += 1
        continue
    W.assign_sub(0.01 * dW)
    b.assign_sub(0.01 * db)
print(f"skipped={skipped}")
print(f"final_loss={float(loss):.6f}")
