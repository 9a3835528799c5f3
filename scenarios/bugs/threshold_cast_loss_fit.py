"""A Keras loss that thresholds the prediction with a comparison and a cast.

What the user saw: `ValueError: No gradients provided for any variable` from `fit`; they needed
"if a number is < 1, it turns into 0", written as `tf.cast(y_pred > 0.5, tf.float32)`.
Report: https://github.com/tensorflow/tensorflow/issues/47083
"""

import keras
import numpy as np
import tensorflow as tf


def thresholded_mse(y_true, y_pred):
    y_binary = tf.cast(y_pred > 0.5, tf.float32)  # a comparison: no gradient
    return tf.reduce_mean(tf.square(y_true - y_binary))


keras.utils.set_random_seed(0)
x = np.random.random(size=(16, 3)).astype("float32")
y = (x.sum(axis=1, keepdims=True) > 1.5).astype("float32")
model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(1, name="score")])
model.compile(optimizer="sgd", loss=thresholded_mse)
model.fit(x, y, epochs=1, batch_size=16, verbose=0)  # raises ValueError
