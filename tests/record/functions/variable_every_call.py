"""A trace-time error: plain `python` raises it on the first call of the function."""

import tensorflow as tf


@tf.function
def step(x):
    v = tf.Variable(1.0)
    return v * x


print(step(tf.constant(3.0)))
