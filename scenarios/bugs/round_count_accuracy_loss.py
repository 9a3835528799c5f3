"""A loss counts correct predictions: `round`, `equal` and `count_nonzero` have no gradient.

What the user saw (TensorFlow issue 58614): a loss built from
`tf.math.count_nonzero(tf.equal(tf.round(prediction), labels))` gave `None` gradients for every
weight of the model.
"""

import keras
import numpy as np
import tensorflow as tf

keras.utils.set_random_seed(0)
model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1, activation="sigmoid", name="p")])
x = np.random.random((8, 3)).astype("float32")
labels = tf.constant([[1.0], [0.0]] * 4)
with tf.GradientTape() as tape:
    prediction = model(x)
    correct = tf.math.count_nonzero(tf.equal(tf.round(prediction), labels))
    loss = 1.0 - tf.cast(correct, tf.float32) / 8.0
print(tape.gradient(loss, model.trainable_variables))  # [None, None]
