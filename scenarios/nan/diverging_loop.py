"""Gradient descent with a learning rate too large: each step overshoots, |w − 2| grows 8× a
step, and after about 45 steps ``w`` is inf and its gradient NaN.

Cause: nan_in_forward. The variable ``w`` already holds inf when the tape reads it: the update
``w.assign_sub(lr * grad)`` of the step before made it non-finite.
"""

import tensorflow as tf

w = tf.Variable(1.0)
x = tf.constant(3.0)
y = tf.constant(6.0)
lr = 0.5  # 2·x²·lr = 9 > 2: the updates diverge

for step in range(60):
    with tf.GradientTape() as tape:
        loss = tf.square(w * x - y)
    grad = tape.gradient(loss, w)
    w.assign_sub(lr * grad)

print(w.numpy(), grad.numpy())
