"""A custom training loop whose loss function turns the prediction into a NumPy array.

What the user saw: `ValueError: No gradients provided for any variable: ['Variable:0']` from
`apply_gradients`; they had "converted the tensor into a numpy array when passing it to the loss".
Report: https://github.com/tensorflow/tensorflow/issues/50111
"""

import keras
import numpy as np
import tensorflow as tf


def weighted_loss(target, prediction):
    error = np.abs(prediction.numpy() - target)  # leaves TensorFlow
    return tf.constant(np.mean(error * np.array([1.0, 2.0, 3.0])), dtype=tf.float32)


w = tf.Variable(0.5)
x = tf.constant([1.0, 2.0, 3.0])
target = np.array([2.0, 4.0, 6.0], dtype=np.float32)
optimizer = keras.optimizers.SGD(0.1)
with tf.GradientTape() as tape:
    prediction = w * x
    loss = weighted_loss(target, prediction)
grads = tape.gradient(loss, [w])
optimizer.apply_gradients(zip(grads, [w]))  # raises ValueError: No gradients provided
