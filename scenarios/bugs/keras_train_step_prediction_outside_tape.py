"""A Keras `train_step` calls the model before opening its tape, so `fit` finds no gradients.

What the user saw (Keras custom training questions, TensorFlow issue 62480's kind): `fit` raised
"No gradients provided for any variable"; `y_pred = self(x)` stood above `with tf.GradientTape()`.
"""

import keras
import numpy as np
import tensorflow as tf


class Regressor(keras.Model):
    def train_step(self, data):
        x, y = data
        y_pred = self(x, training=True)  # outside the tape
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(y - y_pred))
        grads = tape.gradient(loss, self.trainable_variables)
        self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
        return {"loss": loss}


keras.utils.set_random_seed(0)
inputs = keras.Input((2,))
model = Regressor(inputs, keras.layers.Dense(1, name="out")(inputs))
model.compile(optimizer="sgd")
x = np.random.random((8, 2)).astype("float32")
y = np.random.random((8, 1)).astype("float32")
model.fit(x, y, epochs=1, batch_size=8, verbose=0)  # raises ValueError: No gradients provided
