"""A tf.function whose tape differentiates a tf.while_loop (as a Keras LSTM's step does), and one
that differentiates a tf.cond: TensorFlow builds their backward graphs with its own symbolic
gradients while tracing, but the scenario never calls tf.gradients."""

import tensorflow as tf

w = tf.Variable(1.5)


@tf.function
def loop_step(x):
    with tf.GradientTape() as tape:
        _, y = tf.while_loop(lambda i, y: i < 3, lambda i, y: (i + 1, y * w), (0, x))
    return tape.gradient(y, w)


@tf.function
def cond_step(x):
    with tf.GradientTape() as tape:
        y = tf.cond(x > 0, lambda: x * w * w, lambda: x - w)
    return tape.gradient(y, w)


print("loop", round(float(loop_step(tf.constant(2.0))), 4))  # d(2 w^3)/dw = 6 w^2 = 13.5
print("cond", round(float(cond_step(tf.constant(2.0))), 4))  # d(2 w^2)/dw = 4 w = 6.0
