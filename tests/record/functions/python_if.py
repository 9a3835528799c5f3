"""A trace-time error: plain `python` raises it on the first call of the function."""

import tensorflow as tf


@tf.function(autograph=False)
def relu(x):
    if x > 0:
        return x
    return tf.zeros_like(x)


print(relu(tf.constant(3.0)))
