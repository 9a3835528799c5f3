"""A custom layer creates a fresh `tf.Variable` in every `call`, so the one being trained is stale.

What the user saw: "Variable ... has `None` for gradient"; the answer: weights belong in `build`,
which runs once, not in `call`, which runs at every step.
Report: https://github.com/tensorflow/tensorflow/issues/32729
"""

import keras
import numpy as np
import tensorflow as tf


class NoisyScale(keras.layers.Layer):
    def call(self, inputs):
        self.scale = tf.Variable(tf.ones([inputs.shape[-1]]), name="scale")  # new every call
        return inputs * self.scale


keras.utils.set_random_seed(0)
layer = NoisyScale()
x = np.random.random(size=(4, 3)).astype("float32")
layer(x)  # the first call makes the variable the loop trains
trained = [layer.scale]
for step in range(2):
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(layer(x))  # uses a second, new variable
    print(step, tape.gradient(loss, trained))  # [None]
