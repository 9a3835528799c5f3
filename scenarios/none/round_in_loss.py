"""The loss rounds the predictions with ``tf.round``, whose gradient is None.

Cause: non_differentiable_op. Rounding is flat almost everywhere; TensorFlow gives it no gradient.
"""

import tensorflow as tf

w = tf.Variable([0.3, 0.7])
x = tf.constant([1.0, 2.0])
target = tf.constant(2.0)

with tf.GradientTape() as tape:
    prediction = tf.round(tf.reduce_sum(w * x))
    loss = tf.square(prediction - target)

print(tape.gradient(loss, w))
