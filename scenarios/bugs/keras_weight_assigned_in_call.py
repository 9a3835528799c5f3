"""A subclassed Keras model whose `call` overwrites its own weight with the input.

What the user saw: `tape.gradient` returned None for the input `x` when a model's weight was
re-assigned from it (`self.w.assign(x)`) before computing a log-posterior.
Report: https://github.com/tensorflow/tensorflow/issues/54532
"""

import keras
import tensorflow as tf


class DummyModel(keras.Model):
    def build(self, input_shape):
        self.w = self.add_weight(name="w", shape=(), initializer="ones")

    def call(self, x):
        self.w.assign(x)  # the value goes into the variable: the link to x is lost
        return self.w * self.w


model = DummyModel()
model.build(())
x = tf.constant(3.0)
with tf.GradientTape() as tape:
    tape.watch(x)
    y = model(x)
print(tape.gradient(y, x))  # None
