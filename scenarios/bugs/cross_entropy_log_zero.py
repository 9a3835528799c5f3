"""A cross-entropy written by hand, `-sum(y * log(softmax))`, with a saturated softmax.

What the user saw: the loss became NaN during training; "if pred contains 0 (output of softmax),
the result of tf.log(pred) is inf".
Report: https://github.com/aymericdamien/TensorFlow-Examples/issues/383
"""

import tensorflow as tf

w = tf.Variable([[60.0, -60.0, 0.0], [0.0, 40.0, -40.0]])
x = tf.constant([[1.0, 0.0], [0.0, 1.0]])
y = tf.constant([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
with tf.GradientTape() as tape:
    pred = tf.nn.softmax(tf.matmul(x, w))
    cost = tf.reduce_mean(-tf.reduce_sum(y * tf.math.log(pred), axis=1))
print(cost, tape.gradient(cost, w))  # inf, NaN in the gradient
