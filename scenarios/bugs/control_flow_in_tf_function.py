"""Gradients through `tf.while_loop`, `tf.scan` and `tf.map_fn` inside nested `tf.function`s.

What users report (gradients None or wrong through graph control flow): here all arrive.
tapetui should record them with TensorFlow's values: `d(x³)/dx = 3·1.5² = 6.75` through the
while loop, and `[6.5403, 7.58385, 5.01001]` for `w` through the scan of squares (cumulative)
and the map of sines, called from an outer `tf.function`.
"""

import tensorflow as tf

x = tf.Variable(1.5, name="x")
w = tf.Variable([1.0, 2.0, 3.0], name="w")


@tf.function
def power(n):
    i = tf.constant(0)
    acc = tf.constant(1.0)
    _, acc = tf.while_loop(lambda i, a: i < n, lambda i, a: (i + 1, a * x), [i, acc])
    return acc


@tf.function
def partial_sums(v):
    return tf.scan(lambda a, e: a + e * e, v, initializer=tf.constant(0.0))


@tf.function
def loss_fn():
    return tf.reduce_sum(partial_sums(w)) + tf.reduce_sum(tf.map_fn(tf.sin, w))


with tf.GradientTape() as tape:
    cube = power(tf.constant(3))
print(float(cube), float(tape.gradient(cube, x)))  # 3.375 6.75
with tf.GradientTape() as tape:
    loss = loss_fn()
print(tape.gradient(loss, w).numpy().tolist())
