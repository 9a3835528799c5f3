"""Asking for gradients of ``model.variables`` includes BatchNormalization's moving statistics: None.

Cause: not_trainable. moving_mean / moving_variance are non-trainable; use trainable_variables.
"""

import numpy as np
import tensorflow as tf

model = tf.keras.Sequential(
    [tf.keras.Input((3,)), tf.keras.layers.Dense(2), tf.keras.layers.BatchNormalization()]
)
x = np.array([[1.0, 2.0, 3.0], [0.5, 0.1, -1.0]], dtype=np.float32)

with tf.GradientTape() as tape:
    out = model(x, training=False)
    loss = tf.reduce_mean(tf.square(out))

grads = tape.gradient(loss, model.variables)
for variable, grad in zip(model.variables, grads, strict=True):
    print(variable.name, None if grad is None else grad.shape)
