"""A training loop that assigns its variables every step, 1,000 steps: every gradient None.

The loss is taken of a copy (``tf.identity``) made before the tape, so the tape records no path
from the weights to the loss and ``tape.gradient`` returns ``None``; the loop then assigns the
weights anyway (a decay step, and a clip with ``assign``), so each variable is written twice a
step and read in between. Explaining call N looks at the variable's history up to call N: a
search over the whole history per call makes explaining the loop quadratic.
"""

import os

import numpy as np
import tensorflow as tf

STEPS = int(os.environ.get("TAPETUI_BENCH_STEPS", "1000"))

X = tf.constant(np.linspace(0.0, 1.0, 8, dtype=np.float32))
y_true = tf.constant(np.linspace(1.0, 2.0, 8, dtype=np.float32))
W = tf.Variable(tf.ones([1]), name="weight")
b = tf.Variable(tf.zeros([1]), name="bias")

missing = 0
for _step in range(STEPS):
    w_now = tf.identity(W)
    with tf.GradientTape() as tape:
        y_pred = w_now * X + b
        loss = tf.reduce_mean(tf.square(y_pred - y_true))
    dW = tape.gradient(loss, [W])[0]
    if dW is None:
        missing += 1
        W.assign_sub(0.001 * W)
    else:
        W.assign_sub(0.01 * dW)
    W.assign(tf.clip_by_value(W, -10.0, 10.0))
print(f"missing={missing}")
print(f"final_loss={float(loss):.6f}")
