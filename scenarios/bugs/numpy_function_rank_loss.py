"""A Spearman-style loss ranks with NumPy inside `tf.numpy_function`: no gradient flows back.

What the user saw (TensorFlow issue 35713): `tf.numpy_function(rankdata, [y_pred], tf.float32)`
in a custom loss, then "No gradients provided for any variable".
"""

import keras
import numpy as np
import tensorflow as tf


def ranks(values):
    return np.argsort(np.argsort(values)).astype(np.float32)


w = tf.Variable([0.3, -0.2, 0.8], name="w")
x = tf.constant([[1.0, 2.0, 0.5], [0.1, 0.4, 2.0], [1.5, 0.2, 0.3], [0.7, 0.9, 1.1]])
y_true = tf.constant([0.0, 2.0, 1.0, 3.0])
optimizer = keras.optimizers.Adam(0.1)
with tf.GradientTape() as tape:
    y_pred = tf.linalg.matvec(x, w)
    rank_pred = tf.numpy_function(ranks, [y_pred], tf.float32)
    loss = tf.reduce_sum(tf.square(rank_pred - y_true))
grads = tape.gradient(loss, [w])
optimizer.apply_gradients(zip(grads, [w]))  # raises ValueError: No gradients provided
