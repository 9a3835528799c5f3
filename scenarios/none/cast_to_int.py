"""A count is computed by casting to an integer inside the loss, so the gradient is None.

Cause: non_float_dtype. Gradients only flow through floating-point values.
"""

import tensorflow as tf

scale = tf.Variable(2.7)

with tf.GradientTape() as tape:
    steps = tf.cast(scale * 3.0, tf.int32)
    loss = tf.cast(steps, tf.float32) * 0.5

print(tape.gradient(loss, scale))
