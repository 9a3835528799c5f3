"""Variables initialised with Python integers are int32, and have no gradient.

What the user saw: `tf.gradients()` gave None; "your variables are of integer types (because you
initialize them with integers) and mathematically there is no gradient defined on integer types".
Report: https://github.com/tensorflow/tensorflow/issues/27378
"""

import tensorflow as tf

w = tf.Variable(2)  # int32
b = tf.Variable(1)  # int32
x = tf.constant([1, 2, 3])
with tf.GradientTape() as tape:
    y = w * x + b
    loss = tf.reduce_sum(y * y)
print(tape.gradient(loss, [w, b]))  # [None, None]
