"""``model.predict`` inside the tape returns NumPy, so the loss has no gradient for the model.

Cause: left_tensorflow. Call the model directly (``model(x, training=True)``) to keep the graph.
"""

import numpy as np
import tensorflow as tf

model = tf.keras.Sequential([tf.keras.Input((2,)), tf.keras.layers.Dense(1)])
x = np.array([[1.0, 2.0], [3.0, 4.0]], dtype=np.float32)
y = np.array([[1.0], [0.0]], dtype=np.float32)

with tf.GradientTape() as tape:
    pred = model.predict(x, verbose=0)
    loss = tf.reduce_mean(tf.square(pred - y))

grads = tape.gradient(loss, model.trainable_variables)
print(grads)
