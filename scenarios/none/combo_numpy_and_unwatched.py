"""A constant is never watched AND its square goes through NumPy: two reasons for one None.

Causes: left_tensorflow first (the path itself is broken), then not_watched.
"""

import numpy as np
import tensorflow as tf

x = tf.constant([1.0, 2.0, 3.0])

with tf.GradientTape() as tape:
    squared = tf.square(x)
    total = tf.constant(np.sum(squared.numpy()))
    loss = total * 0.5

print(tape.gradient(loss, x))
