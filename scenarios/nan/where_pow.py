"""A "safe" tf.where over x ** 0.5: unlike tf.sqrt, Pow's gradient at 0 is 0 × inf = NaN.

Cause: where_trap. The derivative 0.5 · x^(−0.5) is infinite at x = 0, and Pow's backward
multiplies it by the zero gradient the discarded branch gets.
"""

import tensorflow as tf

x = tf.Variable([0.0, 1.0, 4.0])

with tf.GradientTape() as tape:
    root = tf.where(x > 0, x**0.5, 0.0)
    loss = tf.reduce_sum(root)

print(tape.gradient(loss, x))
