"""The weight reaches the loss twice, once through NumPy and once computed before the tape.

Causes: outside_tape first (moving that line inside the tape gives a gradient), then left_tensorflow.
"""

import numpy as np
import tensorflow as tf

w = tf.Variable([1.0, 2.0])
regularizer = 0.01 * tf.reduce_sum(w * w)

with tf.GradientTape() as tape:
    scores = w * 3.0
    data_term = tf.constant(np.mean(scores.numpy()))
    loss = data_term + regularizer

print(tape.gradient(loss, w))
