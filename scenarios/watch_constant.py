"""A constant tensor must be watched by hand: tape.watch(x) gives dy/dx = 6.0 at x = 3.0.

From the first tutorial: by default a tape only tracks `tf.Variable`s. To differentiate with
respect to a plain `tf.Tensor`, tell the tape to watch it before computing with it.
"""

import tensorflow as tf

x = tf.constant(3.0)  # a constant Tensor, not a Variable

with tf.GradientTape() as tape:
    # A non-Variable tensor has to be watched by hand.
    tape.watch(x)
    y = x * x

dy_dx = tape.gradient(y, x)
print(dy_dx)  # tf.Tensor(6.0, shape=(), dtype=float32)
