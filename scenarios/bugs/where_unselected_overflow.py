"""`tf.where` keeps the safe branch, but the other branch overflows and its gradient is NaN.

What the user saw: `tf.where(a < 15., a, tf.math.pow(10.0, tf.math.exp(a)))` had gradient `nan`
at a = 10 though the first branch (gradient 1) was selected.
Report: https://github.com/tensorflow/tensorflow/issues/38349
"""

import tensorflow as tf

a = tf.Variable(10.0)
with tf.GradientTape() as tape:
    out = tf.where(a < 15.0, a, tf.math.pow(10.0, tf.math.exp(a)))
print(tape.gradient(out, a))  # nan
