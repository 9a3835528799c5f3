"""A variable the expression does not use: `None` by default, 0 with `UnconnectedGradients.ZERO`.

What the user saw (TensorFlow issue 24849): the gradient of a variable "not present in the
expression" was `None` and had to be replaced by zeros by hand; `unconnected_gradients` does it.
"""

import tensorflow as tf

a = tf.Variable(2.0, name="a")
b = tf.Variable(5.0, name="b")
with tf.GradientTape(persistent=True) as tape:
    y = a * a
print(tape.gradient(y, [a, b]))  # [4.0, None]
print(tape.gradient(y, [a, b], unconnected_gradients=tf.UnconnectedGradients.ZERO))  # [4.0, 0.0]
