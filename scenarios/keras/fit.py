"""Keras `fit` on a two-layer Sequential: 64 samples in batches of 16 for 2 epochs, 8 steps.

Every training step is one tape and one gradient call of the loss with respect to the four Dense
variables (`dense/kernel`, `dense/bias`, `dense_1/kernel`, `dense_1/bias`); `evaluate` (before
training) runs the model's ops without a tape.
"""

import numpy as np
import tensorflow as tf

tf.keras.utils.set_random_seed(0)  # the same data and initial weights on every run

x = np.random.random(size=(64, 3)).astype("float32")
y = x @ np.array([[1.0], [-2.0], [0.5]], dtype="float32") + 0.25

model = tf.keras.Sequential(
    [
        tf.keras.Input(shape=(3,)),
        tf.keras.layers.Dense(4, activation="relu"),  # dense
        tf.keras.layers.Dense(1),  # dense_1
    ]
)
model.compile(optimizer=tf.keras.optimizers.SGD(0.1), loss="mse")
print(round(model.evaluate(x, y, verbose=0), 4))  # before training: the forward pass, no tape
history = model.fit(x, y, epochs=2, batch_size=16, shuffle=False, verbose=0)
print([round(v, 4) for v in history.history["loss"]])
