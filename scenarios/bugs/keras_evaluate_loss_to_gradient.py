"""Keras `evaluate` inside the tape, its float handed straight to `tape.gradient`.

What the user saw: `loss = model.evaluate(x, y, verbose=0)` inside a `GradientTape`, then
`tape.gradient(loss, model.trainable_variables)` raised `TypeError: Cannot convert the
argument type_value: 0.23… to a TensorFlow DType`. `evaluate` hands back the loss as a Python
float: it left TensorFlow, and the tape has nothing to differentiate.
"""

import keras
import numpy as np
import tensorflow as tf

keras.utils.set_random_seed(0)
model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1, name="out")])
model.compile(optimizer="sgd", loss="mse")
x = np.random.random((8, 3)).astype("float32")
y = np.random.random((8, 1)).astype("float32")
with tf.GradientTape() as tape:
    loss = model.evaluate(x, y, verbose=0)  # a Python float
grads = tape.gradient(loss, model.trainable_variables)  # raises TypeError
