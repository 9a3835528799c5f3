"""The list of a model's variables is taken before the model is built: it is empty.

What the user saw (TensorFlow issue 26948): `tf.keras.Sequential(layers).trainable_variables`
was `[]`; the layers had no input shape yet, so they had made no variables. The training loop
kept that list, and every step trained nothing.
"""

import keras
import numpy as np
import tensorflow as tf

keras.utils.set_random_seed(0)
model = keras.Sequential([keras.layers.Dense(4, activation="relu"), keras.layers.Dense(1)])
variables = model.trainable_variables  # [] : not built yet
optimizer = keras.optimizers.SGD(0.1)
x = np.random.random((8, 3)).astype("float32")
y = np.random.random((8, 1)).astype("float32")
for step in range(2):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(model(x) - y))
    grads = tape.gradient(loss, variables)
    print(step, len(variables), grads)  # 0 []
