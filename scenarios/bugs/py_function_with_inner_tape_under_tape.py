"""A tape around a `tf.py_function` whose Python function takes a derivative with its own tape.

What the user wanted: d/dx of sin(x)·cos(x), where cos(x) is computed as the derivative of
sin(x) inside the function. In eager mode gradients flow through `tf.py_function`: TensorFlow
runs the function under a tape of its own and differentiates that recording, inner tape
included, so the gradient is cos(2x).
"""

import tensorflow as tf


def sin_times_slope(t):
    with tf.GradientTape() as inner:
        inner.watch(t)
        y = tf.sin(t)
    return y * inner.gradient(y, t)  # sin(t)·cos(t)


x = tf.Variable([0.5, 1.0])
with tf.GradientTape() as tape:
    out = tf.py_function(sin_times_slope, [x], tf.float32)
    loss = tf.reduce_sum(out)
print(tape.gradient(loss, x).numpy())  # cos(2x): [0.5403, -0.41615]
