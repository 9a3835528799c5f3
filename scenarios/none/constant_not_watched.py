"""A plain tensor is never watched, so the tape records nothing about it and its gradient is None.

Cause: not_watched. A tape watches variables on its own, but tensors only through tape.watch().
"""

import tensorflow as tf

x = tf.constant(3.0)

with tf.GradientTape() as tape:
    y = x * x + 2.0 * x

dy_dx = tape.gradient(y, x)
print(dy_dx)
