"""A ``tf.function`` whose own code reads what only a graph tensor has (``y.op``, ``y.name``,
``y.consumers()``) while it is traced: run eagerly, those raise ``AttributeError``, so the
recorder runs it compiled, as plain python does."""

import tensorflow as tf


@tf.function
def double(x):
    y = x * 2.0
    print("traced", y.op.type, y.name, len(y.consumers()))
    return y


print("double", float(double(tf.constant(1.0))))
print("double", float(double(tf.constant(5.0))))
with tf.GradientTape() as tape:
    x = tf.constant(3.0)
    tape.watch(x)
    z = double(x) ** 2
print("grad", float(tape.gradient(z, x)))
