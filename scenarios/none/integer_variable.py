"""A variable created from an integer literal is int32, so the tape ignores it and the gradient is None.

Cause: non_float_dtype. Write ``tf.Variable(3.0)`` for a float variable.
"""

import tensorflow as tf

count = tf.Variable(3)

with tf.GradientTape() as tape:
    y = count * count

print(tape.gradient(y, count))
