"""A subclassed model creates its `Dense` layer inside `call`: a new layer, new weights, each call.

What the user saw (questions on Keras models that build layers in `call`): the weights listed
after the first call never got gradients in later steps; `loss` used the new layer's weights.
"""

import keras
import numpy as np
import tensorflow as tf


class Head(keras.Model):
    def call(self, x):
        dense = keras.layers.Dense(1, name="fresh")  # a new layer every call
        return dense(x)


keras.utils.set_random_seed(0)
model = Head()
x = np.random.random((4, 3)).astype("float32")
model(x)
weights = model.trainable_variables
with tf.GradientTape() as tape:
    loss = tf.reduce_mean(tf.square(model(x)))
print(len(weights), tape.gradient(loss, weights))
