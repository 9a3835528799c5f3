"""A custom layer keeps its variables in a list it appends to: Keras does not track them.

What the user saw (Keras issue 16797): variables made with `tf.Variable` and appended to an empty
list in `__init__` were missing from `layer.trainable_variables`, so the loop trained nothing
(`self.add_weight` or a list built in one go tracks them).
"""

import keras
import tensorflow as tf


class Chain(keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.factors = []
        for i in range(2):
            self.factors.append(tf.Variable(1.0 + i, name=f"factor{i}"))

    def call(self, x):
        return x * self.factors[0] * self.factors[1]


layer = Chain()
x = tf.constant([1.0, 2.0])
with tf.GradientTape() as tape:
    loss = tf.reduce_sum(layer(x))
grads = tape.gradient(loss, layer.trainable_variables)
print(len(layer.trainable_variables), grads)  # 0 []
