"""A `tf.function` train step creates its `tf.Variable` at every call: TensorFlow refuses the second.

What the user saw (TensorFlow issue 36255's kind of code, and many questions): `ValueError:
tf.function only supports singleton tf.Variables created on the first call`; the variable
must be made once, outside the function.
"""

import tensorflow as tf


@tf.function
def step(x):
    w = tf.Variable(1.0, name="w")  # a new variable each trace
    with tf.GradientTape() as tape:
        loss = w * x * x
    return tape.gradient(loss, w)


print(step(tf.constant(2.0)))
print(step(tf.constant(3.0)))
