"""The loss is computed before the tape starts recording, so its gradient is None.

Cause: outside_tape. Only what runs inside the ``with tf.GradientTape()`` block is recorded.
"""

import tensorflow as tf

w = tf.Variable([0.5, -0.5], name="w")
x = tf.constant([1.0, 2.0])

loss = tf.reduce_sum(w * x) ** 2

with tf.GradientTape() as tape:
    prediction = tf.reduce_sum(w * x)

grad = tape.gradient(loss, w)
print(grad)
