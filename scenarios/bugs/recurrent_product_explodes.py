"""A recurrence multiplies the state by the same weight every step: it grows to inf, then NaN.

What the user saw (the exploding-gradient reports of RNNs, e.g. training stopped by
`TerminateOnNaN`): after enough steps the loss was `inf` and the gradient `nan`.
"""

import tensorflow as tf

w = tf.Variable(9.0, name="w")
with tf.GradientTape() as tape:
    h = tf.constant(1.0)
    for _ in range(45):
        h = w * h + 1.0  # 9^45 > 3.4e38
    loss = h * h
print(loss, tape.gradient(loss, w))  # inf, nan or inf
