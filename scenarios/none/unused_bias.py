"""The model's bias is never used in the loss, so its gradient is None.

Cause: no_path. Nothing computed from ``b`` reaches the loss.
"""

import tensorflow as tf

X = tf.constant([1.0, 2.0, 3.0])
y_true = tf.constant([3.0, 5.0, 7.0])
W = tf.Variable(1.5)
b = tf.Variable(0.0)

with tf.GradientTape() as tape:
    y_pred = W * X
    loss = tf.reduce_mean(tf.square(y_pred - y_true))

dW, db = tape.gradient(loss, [W, b])
print(dW)
print(db)
