"""Keras `fit` with a custom loss that rounds the predictions: "No gradients provided".

`tf.round` has no gradient, so every variable's gradient is None and the optimizer raises
`ValueError: No gradients provided for any variable.` Cause: no_gradients_provided, with
non_differentiable_op (the `tf.round` line) for each of the four Dense variables.
"""

import numpy as np
import tensorflow as tf


def rounded_mse(y_true, y_pred):
    return tf.reduce_mean(tf.square(y_true - tf.round(y_pred)))  # tf.round: no gradient


tf.keras.utils.set_random_seed(0)  # the same data and initial weights on every run
x = np.random.random(size=(64, 3)).astype("float32")
y = np.round(x.sum(axis=1, keepdims=True))

model = tf.keras.Sequential(
    [
        tf.keras.Input(shape=(3,)),
        tf.keras.layers.Dense(4, activation="relu"),  # dense
        tf.keras.layers.Dense(1),  # dense_1
    ]
)
model.compile(optimizer="sgd", loss=rounded_mse)
model.fit(x, y, epochs=2, batch_size=16, verbose=0)  # raises ValueError on the first step
