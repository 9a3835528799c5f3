"""tf.gradients inside a tf.function (graph-only), with a tape around the call."""

import tensorflow as tf


@tf.function
def second_derivative(x):
    (first,) = tf.gradients(tf.sin(x), [x])
    (second,) = tf.gradients(first, [x])
    return second


x = tf.constant(0.5)
print("second", round(float(second_derivative(x)), 4))
with tf.GradientTape() as tape:
    tape.watch(x)
    y = second_derivative(x) * 2.0
print("third", round(float(tape.gradient(y, x)), 4))
