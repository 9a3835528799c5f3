"""A `tf.function` train step that runs the model before it opens the tape.

What the user saw: `No gradients provided for any variable` from a compiled train step; the
forward pass sat above `with tf.GradientTape() as tape:`, only the loss inside.
Report: https://github.com/tensorflow/tensorflow/issues/42984
"""

import keras
import numpy as np
import tensorflow as tf

keras.utils.set_random_seed(0)
model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1, name="out")])
optimizer = keras.optimizers.SGD(0.1)
x = np.random.random(size=(8, 2)).astype("float32")
y = np.random.random(size=(8, 1)).astype("float32")


@tf.function
def train_step(x, y):
    prediction = model(x)  # before the tape: not recorded
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(prediction - y))
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))
    return loss


train_step(x, y)  # raises ValueError: No gradients provided
