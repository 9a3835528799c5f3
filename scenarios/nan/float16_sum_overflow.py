"""Two float16 terms that cancel in the loss, but whose gradients add up past float16's range.

Cause: overflow. Each path from ``w`` to the loss contributes a finite 40000 to its gradient;
the tape's sum of the two, 80000, is more than float16's largest value 65504.
"""

import tensorflow as tf

w = tf.Variable(tf.constant(1.0, tf.float16))
scale = tf.constant(40000.0, tf.float16)

with tf.GradientTape() as tape:
    wr = tf.identity(w)
    loss = wr * scale + (wr - 2.0) * scale  # 40000 − 40000 = 0

print(loss)
print(tape.gradient(loss, w))
