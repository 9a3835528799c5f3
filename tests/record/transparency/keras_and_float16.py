"""A Keras model's training step, and mixed precision float16 gradients."""

import numpy as np
import tensorflow as tf

tf.keras.utils.set_random_seed(1)
model = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(4, activation="relu"),
                             tf.keras.layers.Dense(1)])  # fmt: skip
optimizer = tf.keras.optimizers.SGD(0.1)
data = np.arange(12, dtype=np.float32).reshape(4, 3) / 10.0
target = np.ones((4, 1), np.float32)
for step in range(3):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(model(data) - target))
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables, strict=True))
    print("step", step, "loss", round(float(loss), 5))

h = tf.Variable(tf.constant([0.5, 1.5], tf.float16))
with tf.GradientTape() as tape:
    out = tf.reduce_sum(h * h)
grad = tape.gradient(out, h)
print("float16", grad.dtype.name, grad.numpy().tolist())
