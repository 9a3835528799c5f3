"""The derivative of y = x * x at x = 3.0 is 6.0: a variable is recorded without watch().

From the first tutorial's three steps: open a `tf.GradientTape` context, compute inside it,
then ask `tape.gradient(target, sources)`. A `tf.Variable` is trainable, so the tape watches it
automatically when the computation reads it.
"""

import tensorflow as tf

# A tf.Variable is trainable: the tape watches it automatically.
x = tf.Variable(3.0)

with tf.GradientTape() as tape:
    y = x * x  # same as x**2

# The gradient of y with respect to x: d(x²)/dx = 2x = 6.0 at x = 3.0.
dy_dx = tape.gradient(y, x)

print(dy_dx)
