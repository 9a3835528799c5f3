"""Standardizing activations by their standard deviation: a constant column divides 0 by 0.

What the user saw (Keras issue 2960, `K.std` in a normalization): NaN loss whenever a feature was
the same for the whole batch; the std is 0, and `(h - mean) / std` is 0/0.
"""

import tensorflow as tf

w = tf.Variable([[1.0, 0.0], [2.0, 0.0]], name="w")  # the second unit sees nothing
x = tf.constant([[1.0, 2.0], [3.0, 1.0], [0.5, 0.5]])
with tf.GradientTape() as tape:
    h = x @ w
    mean = tf.reduce_mean(h, axis=0)
    std = tf.math.reduce_std(h, axis=0)
    normalized = (h - mean) / std
    loss = tf.reduce_sum(tf.square(normalized[:, 0] - 1.0))
print(loss, tape.gradient(loss, w))  # nan
