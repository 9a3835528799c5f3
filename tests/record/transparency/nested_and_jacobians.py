"""Nested tapes, a persistent tape, jacobian and batch_jacobian."""

import tensorflow as tf

x = tf.Variable([1.0, 2.0, 3.0])
with tf.GradientTape() as outer:
    with tf.GradientTape() as inner:
        y = tf.reduce_sum(x**3)
    dy = inner.gradient(y, x)
print("first", dy.numpy())
print("second", outer.gradient(dy, x).numpy())

column = tf.reshape(tf.constant([1.0, 2.0, 3.0]), [3, 1])
with tf.GradientTape(persistent=True) as tape:
    tape.watch(column)
    z = x * x
    w = column * column * tf.constant([[1.0, 2.0]])
print("jacobian", tape.jacobian(z, x).numpy().tolist())
print("batch_jacobian", tape.batch_jacobian(w, column).numpy().tolist())
del tape
