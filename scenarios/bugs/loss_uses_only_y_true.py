"""A Keras loss computed from `y_true` alone: nothing of the model's output reaches it.

What the user saw: `fit` failed with no gradient; "when you use only the y_true values in an
operation, it fails because no gradient".
Report: https://github.com/rstudio/keras3/issues/515
"""

import keras
import numpy as np
import tensorflow as tf


def direction(y_true, y_pred):
    return tf.reduce_sum(y_true[:, 1:] - y_true[:, :-1])  # y_pred is never used


keras.utils.set_random_seed(0)
x = np.random.random(size=(4, 9)).astype("float32")
y = np.random.random(size=(4, 9)).astype("float32")
model = keras.Sequential([keras.Input(shape=(9,)), keras.layers.Dense(9, name="dense")])
model.compile(optimizer="adam", loss=direction)
model.fit(x, y, batch_size=4, epochs=1, verbose=0)  # raises ValueError
