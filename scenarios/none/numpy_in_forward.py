"""The forward pass goes through NumPy (``.numpy()`` and ``np.mean``), so the gradient is None.

Cause: left_tensorflow. The tape only sees TensorFlow ops; NumPy's work is invisible to it.
"""

import numpy as np
import tensorflow as tf

x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
w = tf.Variable([[0.1], [0.2]])

with tf.GradientTape() as tape:
    logits = tf.matmul(x, w)
    scores = logits.numpy()
    mean_score = np.mean(scores)
    loss = tf.constant(mean_score) ** 2

print(tape.gradient(loss, w))
