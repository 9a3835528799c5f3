"""A subclassed `keras.Model` with its own `call()` and `train_step()`, Keras 3 style, under `fit`.

The tape, the loss and the gradient call are the scenario's own lines in `train_step`; the ops of
`call()` are at its lines too, and each carries the Keras layer it ran in (`hidden`, `out`).
`fit` runs 2 epochs of 2 batches, and `train_on_batch` one more step: 5 gradient calls.
"""

import keras
import numpy as np
import tensorflow as tf


class Regressor(keras.Model):
    def __init__(self):
        super().__init__()
        self.hidden = keras.layers.Dense(4, activation="relu", name="hidden")
        self.out = keras.layers.Dense(1, name="out")

    def call(self, inputs):
        return self.out(self.hidden(inputs))

    def train_step(self, data):  # Keras 3: compute_loss, optimizer.apply, metrics by hand
        x, y, _ = keras.utils.unpack_x_y_sample_weight(data)  # fit: (x, y); train_on_batch: 3
        with tf.GradientTape() as tape:
            prediction = self(x, training=True)
            loss = self.compute_loss(x=x, y=y, y_pred=prediction)
        gradients = tape.gradient(loss, self.trainable_variables)
        self.optimizer.apply(gradients, self.trainable_variables)
        for metric in self.metrics:  # the loss tracker gets the loss, the others y and prediction
            if metric.name == "loss":
                metric.update_state(loss)
            else:
                metric.update_state(y, prediction)
        return {metric.name: metric.result() for metric in self.metrics}


keras.utils.set_random_seed(0)  # the same data and initial weights on every run
x = np.random.random(size=(32, 3)).astype("float32")
y = x @ np.array([[1.0], [-2.0], [0.5]], dtype="float32")

model = Regressor()
model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
history = model.fit(x, y, epochs=2, batch_size=16, shuffle=False, verbose=0)
print([round(v, 4) for v in history.history["loss"]])
logs = model.train_on_batch(x[:16], y[:16], return_dict=True)  # one more step: train_step again
print(round(float(logs["loss"]), 4))
