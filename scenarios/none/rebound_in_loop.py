"""A training loop updates the weight with ``w = w - lr * grad``: from the second step on it is None.

Cause: variable_rebound. The name ``w`` now holds a plain Tensor, which the tape does not watch.
"""

import tensorflow as tf

x = tf.constant([1.0, 2.0, 3.0])
y_true = tf.constant([2.0, 4.0, 6.0])
w = tf.Variable(0.5)
learning_rate = 0.05

for step in range(2):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(w * x - y_true))
    grad = tape.gradient(loss, w)
    print(step, grad)
    if grad is None:
        break
    w = w - learning_rate * grad
