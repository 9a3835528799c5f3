"""Keras `evaluate` inside the tape: it returns the loss as a Python float.

What the user saw: a training loop computed `loss = model.evaluate(x, y, verbose=0)` inside a
`GradientTape` (made a tensor, since `tape.gradient` refuses a float) and every gradient of
`model.trainable_variables` was None. `evaluate` runs the model and accumulates the loss in
its metrics' variables, then hands back their result as a float; the tape cannot follow it.
Calling the model and the loss function, `loss_fn(y, model(x))`, keeps the loss in TensorFlow.
"""

import keras
import numpy as np
import tensorflow as tf

keras.utils.set_random_seed(0)
model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1, name="out")])
model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
x = np.random.random((8, 3)).astype("float32")
y = np.random.random((8, 1)).astype("float32")
with tf.GradientTape() as tape:
    loss = model.evaluate(x, y, verbose=0)[0]  # [loss, mae] as Python floats
    loss = tf.convert_to_tensor(loss)
grads = tape.gradient(loss, model.trainable_variables)
print(type(grads[0]).__name__, type(grads[1]).__name__)  # NoneType NoneType
