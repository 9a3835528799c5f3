"""tf.custom_gradient, a tf.function called inside a tape, tf.while_loop and tf.cond."""

import tensorflow as tf


@tf.custom_gradient
def clipped_square(x):
    def grad(upstream):
        return tf.clip_by_value(upstream * 2.0 * x, -1.0, 1.0)

    return x * x, grad


@tf.function
def cube(x):
    return x * x * x


x = tf.Variable(3.0)
with tf.GradientTape(persistent=True) as tape:
    a = clipped_square(x)
    b = cube(x)
    c = tf.while_loop(lambda i, v: i < 3, lambda i, v: (i + 1, v * x), (0, tf.constant(1.0)))[1]
    d = tf.cond(x > 2.0, lambda: x * 10.0, lambda: x)
print("custom", tape.gradient(a, x).numpy())
print("function", tape.gradient(b, x).numpy())
print("while_loop", tape.gradient(c, x).numpy())
print("cond", tape.gradient(d, x).numpy())
del tape
