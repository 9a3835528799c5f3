"""A ``tf.function`` that calls ``tf.gradients`` (graph-only, so the recorder runs it compiled)
and prints while it is traced: printed once per trace, as compiled, not lost."""

import tensorflow as tf


@tf.function
def slope(x):
    print("tracing slope for shape", x.shape)
    (g,) = tf.gradients(x * x, [x])
    return g


print("slope", float(slope(tf.constant(3.0))))
print("slope", float(slope(tf.constant(4.0))))
print("slopes", slope(tf.constant([1.0, 2.0])).numpy().tolist())
