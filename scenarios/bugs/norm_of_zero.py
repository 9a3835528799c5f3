"""The gradient of `tf.norm` at a zero vector is NaN (0/0 in the backward of the square root).

What the user saw: `tf.norm(X, axis=1)` had gradient 1.0 for the row [1] and NaN for the row [0];
tiny rows gave Inf.
Report: https://github.com/tensorflow/tensorflow/issues/12071
"""

import tensorflow as tf

x = tf.constant([[1.0], [0.0], [1e-16], [1e-19]])
with tf.GradientTape() as tape:
    tape.watch(x)
    z = tf.norm(x, ord="euclidean", axis=1)
    total = tf.reduce_sum(z)
print(tape.gradient(total, x))  # [[1.], [nan], [1.], [inf]]
