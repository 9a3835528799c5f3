"""The whole prediction is wrapped in ``tf.stop_gradient`` (meant for the target), so the gradient is None.

Cause: stop_gradient. stop_gradient makes TensorFlow treat its input as a constant.
"""

import tensorflow as tf

w = tf.Variable([[0.5], [-0.5]])
x = tf.constant([[1.0, 2.0]])
y_true = tf.constant([[1.0]])

with tf.GradientTape() as tape:
    prediction = tf.stop_gradient(tf.matmul(x, w))
    loss = tf.reduce_mean(tf.square(prediction - y_true))

print(tape.gradient(loss, w))
