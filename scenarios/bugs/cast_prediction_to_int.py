"""A loss casts the prediction to an integer class count, and the gradient stops there.

What the user saw (the `tf.cast` entries in "No gradients provided" reports, e.g. a counting
model's loss `tf.abs(tf.cast(pred, tf.int32) - count)`): every weight's gradient was `None`.
"""

import tensorflow as tf

w = tf.Variable([[0.8], [1.4]], name="w")
x = tf.constant([[2.0, 1.0], [0.5, 3.0]])
count = tf.constant([[3], [4]])
with tf.GradientTape() as tape:
    pred = x @ w
    error = tf.abs(tf.cast(pred, tf.int32) - count)
    loss = tf.reduce_mean(tf.cast(error, tf.float32))
print(tape.gradient(loss, w))  # None
