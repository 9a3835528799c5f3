"""Control: tf.math.divide_no_nan instead of 1/x in a where, so the gradient is finite.

Finite: ``divide_no_nan`` and its gradient are 0 where the denominator is 0.
"""

import tensorflow as tf

x = tf.Variable([0.0, 2.0, 4.0])

with tf.GradientTape() as tape:
    inverse = tf.math.divide_no_nan(1.0, x)
    loss = tf.reduce_sum(inverse)

print(tape.gradient(loss, x))
