"""A subclassed Keras 3 model whose `train_step` clips the prediction in NumPy, under `fit`.

What the user saw: `ValueError: No gradients provided for any variable` from `fit` on a
sub-classed model with its own training step.
Report: https://github.com/tensorflow/tensorflow/issues/62480
"""

import keras
import numpy as np
import tensorflow as tf


class Clipped(keras.Model):
    def __init__(self):
        super().__init__()
        self.dense = keras.layers.Dense(1, name="dense")

    def call(self, inputs):
        return self.dense(inputs)

    def train_step(self, data):
        x, y = data
        with tf.GradientTape() as tape:
            y_pred = self(x, training=True)
            clipped = tf.constant(np.clip(y_pred.numpy(), 0.0, 1.0))  # leaves TensorFlow
            loss = tf.reduce_mean(tf.square(clipped - y))
        grads = tape.gradient(loss, self.trainable_variables)
        self.optimizer.apply(grads, self.trainable_variables)
        return {"loss": loss}


keras.utils.set_random_seed(0)
x = np.random.random(size=(8, 2)).astype("float32")
y = np.random.random(size=(8, 1)).astype("float32")
model = Clipped()
model.compile(optimizer="sgd", run_eagerly=True)
model.fit(x, y, batch_size=8, epochs=1, verbose=0)  # raises ValueError
