"""A variable created with ``trainable=False`` is not watched, so its gradient is None.

Cause: not_trainable. Tapes only watch trainable variables on their own.
"""

import tensorflow as tf

bias = tf.Variable(1.0, trainable=False)
w = tf.Variable(2.0)
x = tf.constant(3.0)

with tf.GradientTape() as tape:
    y = w * x + bias

dw, dbias = tape.gradient(y, [w, bias])
print(dw)
print(dbias)
