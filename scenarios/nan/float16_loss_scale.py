"""Mixed precision with a loss scale too large: the loss is finite, its gradient overflows float16.

Cause: overflow. The scaled loss (about 13107) fits in float16, but its gradient with respect
to ``w`` is 32768 × 4 = 131072, above float16's largest value 65504.
"""

import tensorflow as tf

w = tf.Variable(tf.constant([0.1], tf.float16))
x = tf.constant([4.0], tf.float16)
loss_scale = tf.constant(32768.0, tf.float16)

with tf.GradientTape() as tape:
    loss = tf.reduce_sum(w * x)
    scaled_loss = loss * loss_scale

print(scaled_loss)
print(tape.gradient(scaled_loss, w))
