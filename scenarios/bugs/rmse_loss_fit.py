"""Keras `fit` with a root-mean-squared-error loss: the first batch predicts its targets exactly.

What the user saw: "I define a rmse loss function ... after some iteration, the loss become nan".
The gradient of `sqrt` at 0 is Inf; times the zero error it is NaN, and the weights become NaN.
Report: https://github.com/keras-team/keras/issues/6644
"""

import keras
import numpy as np
import tensorflow as tf


def root_mean_squared_error(y_true, y_pred):
    return tf.sqrt(tf.reduce_mean(tf.square(y_pred - y_true), axis=-1))


x = np.ones((4, 2), dtype="float32")
y = np.zeros((4, 1), dtype="float32")  # the zero-initialised model predicts these exactly
model = keras.Sequential(
    [keras.Input(shape=(2,)), keras.layers.Dense(1, kernel_initializer="zeros", name="out")]
)
model.compile(optimizer=keras.optimizers.SGD(0.1), loss=root_mean_squared_error)
history = model.fit(x, y, epochs=2, batch_size=4, verbose=0)
print(history.history["loss"])  # [0.0, nan]
