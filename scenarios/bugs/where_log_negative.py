"""`tf.where(x >= 0, alpha * log(x), 0)`: the log of the negative inputs poisons d/d alpha.

What the user saw: the gradient with respect to `alpha` was NaN; protecting `x` itself with
`safe_x = tf.where(x > 0, x, tf.ones_like(x))` fixed it.
Report: https://github.com/tensorflow/tensorflow/issues/27684
"""

import tensorflow as tf

x = tf.constant([2.0, -1.0, 0.5, -3.0])
alpha = tf.Variable(1.0, name="alpha")
with tf.GradientTape() as tape:
    s = tf.where(x >= 0, alpha * tf.math.log(x), tf.zeros_like(x))
    total = tf.reduce_sum(s)
print(tape.gradient(total, alpha))  # nan
