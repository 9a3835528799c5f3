"""A "safe" tf.where over 1/x: the discarded branch divides by zero in the backward pass.

Cause: where_trap. The forward value at ``x = 0`` is discarded, but its derivative −1/x² is
infinite there, and 0 × inf = NaN.
"""

import tensorflow as tf

x = tf.Variable([0.0, 2.0, 4.0])

with tf.GradientTape() as tape:
    inverse = tf.where(x != 0, 1.0 / x, 0.0)
    loss = tf.reduce_sum(inverse)

print(tape.gradient(loss, x))
