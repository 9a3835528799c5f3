"""Per-sample losses collected as Python floats, then turned back into a tensor.

What the user saw: `tape.gradient(loss_value, model.trainable_variables)` gave None for a loss
built from `losses.append(float(loss))` and `tf.convert_to_tensor(dis)`.
Report: https://github.com/tensorflow/tensorflow/issues/30190
"""

import keras
import numpy as np
import tensorflow as tf

keras.utils.set_random_seed(0)
model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(3, name="logits")])
loss_object = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
features = np.random.random(size=(4, 4)).astype("float32")
labels = np.array([0, 1, 2, 1])


def loss(model, x, y):
    y_ = model(x)
    losses = []
    for i in range(y.shape[0]):
        losses.append(float(loss_object(y_true=y[i : i + 1], y_pred=y_[i : i + 1])))
    spread = np.std(losses)
    return tf.convert_to_tensor(spread, dtype=np.float32)


with tf.GradientTape() as tape:
    loss_value = loss(model, features, labels)
print(tape.gradient(loss_value, model.trainable_variables))  # [None, None]
