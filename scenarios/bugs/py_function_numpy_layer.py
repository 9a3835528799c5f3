"""A layer that wraps a NumPy function with `tf.py_function`: the NumPy work has no gradient.

What the user saw: `tf.gradients(loss, x)` was None through a Keras layer calling
`tf.py_func(np.sinh, [X], tf.float32)`. TensorFlow 2.21 returns 0 instead, which is not the
derivative (cosh(x)) either: a gradient that is there but wrong.
Report: https://github.com/cleverhans-lab/cleverhans/issues/432
"""

import numpy as np
import tensorflow as tf


def numpy_sinh(t):
    return np.sinh(t.numpy())


x = tf.constant([[0.1, 0.2, 0.3, 0.4]])
w = tf.Variable(tf.ones([4, 1]))
with tf.GradientTape() as tape:
    tape.watch(x)
    filtered = tf.py_function(numpy_sinh, [x], tf.float32)
    loss = tf.reduce_sum(tf.matmul(filtered, w))
print(tape.gradient(loss, [x, w]))  # x: 0.0 (not cosh(x)); w: sinh(x)
