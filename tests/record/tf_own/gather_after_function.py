"""A tf.function's output indexed outside it: the gradient that reaches the input is dense."""

import tensorflow as tf


@tf.function
def shift(values):
    return values + 1.0


table = tf.constant([1.0, 2.0, 3.0])
with tf.GradientTape() as tape:
    tape.watch(table)
    picked = tf.gather(shift(table), [0, 2])
grad = tape.gradient(picked, table)
print("type", type(grad).__name__)
print("grad", grad.numpy())
