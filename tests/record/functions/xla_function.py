"""An XLA-compiled function (`jit_compile=True`) called inside a tape: it runs compiled."""

import tensorflow as tf

w = tf.Variable(3.0)


@tf.function(jit_compile=True)
def square(x):
    return x * x * w


x = tf.Variable(2.0)
with tf.GradientTape() as tape:
    y = square(x)
print(tape.gradient(y, x))
