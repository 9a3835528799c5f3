"""A loss thresholds the prediction with `tf.floor`, whose gradient is `None`.

What the user saw (TensorFlow issue 8625): `y_pred = tf.floor(tf.sigmoid(logits))` then
`loss = mean(|y_true - y_pred|)` gave "No gradients provided for any variable"; without the
floor it trained.
"""

import keras
import tensorflow as tf

w = tf.Variable([[0.5], [-0.3]], name="w")
x = tf.constant([[1.0, 2.0], [3.0, -1.0]])
y_true = tf.constant([[1.0], [0.0]])
optimizer = keras.optimizers.SGD(0.01)
with tf.GradientTape() as tape:
    y_prob = tf.sigmoid(x @ w)
    y_pred = tf.floor(y_prob + 0.5)  # threshold at 0.5
    loss = tf.reduce_mean(tf.abs(y_true - y_pred))
grads = tape.gradient(loss, [w])
optimizer.apply_gradients(zip(grads, [w]))  # raises ValueError: No gradients provided
