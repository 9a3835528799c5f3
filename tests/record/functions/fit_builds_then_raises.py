"""A subclassed Keras model is built by its first `fit` step, and that step's optimizer then
finds no gradient (the loss rounds the prediction): the compiled train step raises while it is
traced, after the model's variables were made."""

import keras
import numpy as np
import tensorflow as tf


class Model(keras.Model):
    def __init__(self):
        super().__init__()
        self.hidden = keras.layers.Dense(4, activation="relu")
        self.out = keras.layers.Dense(1)

    def call(self, x):
        return self.out(self.hidden(x))

    def train_step(self, data):
        x, y = data
        with tf.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = tf.reduce_mean(tf.square(tf.round(y_pred) - y))
        grads = tape.gradient(loss, self.trainable_variables)
        self.optimizer.apply_gradients(zip(grads, self.trainable_variables, strict=True))
        return {"loss": loss}


x = np.random.RandomState(0).rand(32, 3).astype("float32")
y = np.random.RandomState(1).rand(32, 1).astype("float32")
model = Model()
model.compile(optimizer="adam")
model.fit(x, y, epochs=2, batch_size=16, verbose=0)
