"""A fitted Keras model's `predict` inside the tape, with the loss taken of its NumPy output.

What the user saw: after `fit`, a hand-written fine-tuning step took
`model.predict(x)` inside a `GradientTape` and every gradient was None. `predict` returns a
NumPy array (the batch-normalisation statistics `fit` stored are no part of the problem);
`model(x, training=False)` keeps the prediction in TensorFlow.
"""

import keras
import numpy as np
import tensorflow as tf

keras.utils.set_random_seed(0)
model = keras.Sequential(
    [
        keras.Input((3,)),
        keras.layers.Dense(4, name="hidden"),
        keras.layers.BatchNormalization(name="norm"),
        keras.layers.Dense(1, name="out"),
    ]
)
model.compile(optimizer="sgd", loss="mse")
x = np.random.random((8, 3)).astype("float32")
y = np.random.random((8, 1)).astype("float32")
model.fit(x, y, epochs=1, batch_size=8, verbose=0)
with tf.GradientTape() as tape:
    prediction = model.predict(x, verbose=0)  # NumPy out
    loss = tf.reduce_mean(tf.square(prediction - y))
grads = tape.gradient(loss, model.trainable_variables)
print([g is None for g in grads])  # all True
