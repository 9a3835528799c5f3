"""A ranking loss built from `tf.argsort(tf.argsort(...))` of the prediction, in a custom loop.

What the user saw: `No gradients provided for any variable`; replacing the loss by 'mse' made it
go away. argsort returns integer positions, which carry no gradient.
Report: https://github.com/keras-team/keras/issues/16663
"""

import keras
import numpy as np
import tensorflow as tf


def rank_loss(y_true, y_pred):
    actual_orders = tf.argsort(tf.argsort(y_true))
    predicted_orders = tf.argsort(tf.argsort(y_pred))
    return tf.cast(tf.reduce_sum(tf.abs(actual_orders - predicted_orders)), tf.float32)


keras.utils.set_random_seed(0)
x = np.random.random(size=(8, 4)).astype("float32")
y_true = tf.constant(np.random.random(size=(8,)).astype("float32"))
layer = keras.layers.Dense(1, name="scorer")
optimizer = keras.optimizers.SGD(0.1)
with tf.GradientTape() as tape:
    y_pred = tf.squeeze(layer(x), axis=1)
    loss = rank_loss(y_true, y_pred)
grads = tape.gradient(loss, layer.trainable_variables)
optimizer.apply_gradients(zip(grads, layer.trainable_variables))  # raises ValueError
