"""A classifier's loss is fed `tf.argmax(logits)`, an integer class, instead of the logits.

What the user saw (a GitHub issue in an adversarial-training project): "No gradients provided
for any variable" from `apply_gradients`; the loss compared labels with
`tf.argmax(logits, axis=1)`, which is not differentiable.
"""

import keras
import numpy as np
import tensorflow as tf

keras.utils.set_random_seed(0)
model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, name="logits")])
x = np.random.random((6, 4)).astype("float32")
labels = tf.constant([0, 1, 2, 0, 1, 2])
optimizer = keras.optimizers.Adam()
with tf.GradientTape() as tape:
    logits = model(x)
    predicted = tf.cast(tf.argmax(logits, axis=1), tf.float32)
    loss = tf.reduce_mean(tf.square(predicted - tf.cast(labels, tf.float32)))
grads = tape.gradient(loss, model.trainable_variables)
optimizer.apply_gradients(zip(grads, model.trainable_variables))  # raises ValueError
