"""A Keras model's output turned into NumPy inside the tape, to clip it before the loss.

What the user saw: the model was called inside a `GradientTape`, but its output went through
`.numpy()` (to use `np.clip`) on the way to the loss, after a `keras.metrics.Mean` had logged
the batch's error; every gradient of `model.trainable_variables` was None. `tf.clip_by_value`
keeps the computation in TensorFlow.
"""

import keras
import numpy as np
import tensorflow as tf

keras.utils.set_random_seed(0)
model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1, name="out")])
logged = keras.metrics.Mean(name="logged")
x = np.random.random((8, 3)).astype("float32")
y = np.random.random((8, 1)).astype("float32")
with tf.GradientTape() as tape:
    output = model(x)
    logged.update_state(tf.abs(output - y))
    clipped = np.clip(output.numpy(), 0.0, 1.0)  # leaves TensorFlow
    loss = tf.reduce_mean(tf.square(clipped - y))
grads = tape.gradient(loss, model.trainable_variables)
print([g is None for g in grads], float(logged.result()))
