"""A missing measurement was read as NaN, and the loss is a mean over all of them.

Cause: nan_in_forward. The NaN is already in the input data ``x``; every gradient of the mean
over it is NaN.
"""

import tensorflow as tf

x = tf.constant([1.0, float("nan"), 3.0])
y_true = tf.constant([2.0, 4.0, 6.0])
w = tf.Variable(1.5)

with tf.GradientTape() as tape:
    loss = tf.reduce_mean(tf.square(w * x - y_true))

print(tape.gradient(loss, w))
