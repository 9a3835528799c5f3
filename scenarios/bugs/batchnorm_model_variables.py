"""Gradients asked for `model.variables`, which include BatchNormalization's moving statistics.

What the user saw: None in the gradients, for the BatchNormalization layers; "you should use
`model.trainable_variables` instead of `model.variables`".
Report: https://github.com/tensorflow/tensorflow/issues/26404
"""

import keras
import numpy as np
import tensorflow as tf

keras.utils.set_random_seed(0)
model = keras.Sequential(
    [
        keras.Input(shape=(3,)),
        keras.layers.Dense(4, name="dense"),
        keras.layers.BatchNormalization(name="bn"),
        keras.layers.Dense(1, name="head"),
    ]
)
x = np.random.random(size=(8, 3)).astype("float32")
label = np.random.random(size=(8, 1)).astype("float32")
with tf.GradientTape() as tape:
    prediction = model(x, training=True)
    loss = tf.reduce_mean(tf.square(prediction - label))
grads = tape.gradient(loss, model.variables)
print([g is None for g in grads])  # the moving mean and variance: None
