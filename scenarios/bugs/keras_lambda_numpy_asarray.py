"""A Keras `Lambda` layer computes its output in NumPy (`np.asarray` of its input), and every
weight before it gets a `None` gradient.

What the user saw ("No gradients provided" reports with `keras.layers.Lambda(lambda t:
np.…(t))`): the model runs and the loss is right, but `tape.gradient` returns `None` for the
Dense layer's kernel and bias. NumPy reads the tensor through the buffer protocol, so no
`.numpy()` call shows where the value left. tapetui should name `left_tensorflow` at the
`model(x)` line, not "nothing connects them".
"""

import numpy as np
import tensorflow as tf
import keras

model = keras.Sequential(
    [
        keras.Input((3,)),
        keras.layers.Dense(3, name="d", kernel_initializer="ones"),
        keras.layers.Lambda(lambda t: tf.constant(np.tanh(np.asarray(t)))),
    ]
)
x = tf.constant([[0.1, 0.2, 0.3]])
with tf.GradientTape() as tape:
    loss = tf.reduce_sum(model(x))
print(tape.gradient(loss, model.trainable_variables))  # [None, None]
