"""A masked mean loss divides by the number of unmasked items, which is 0 for an all-padding batch.

What the user saw (a frequent report with masked sequence losses): the loss became `nan` on a
batch where every position was padding, `sum(mask * loss) / sum(mask)` being 0/0.
"""

import tensorflow as tf

w = tf.Variable([0.5, -1.0], name="w")
x = tf.constant([[1.0, 2.0], [0.5, 1.5], [2.0, 0.0]])
y = tf.constant([1.0, 0.0, 1.0])
mask = tf.constant([0.0, 0.0, 0.0])  # all padding
with tf.GradientTape() as tape:
    per_item = tf.square(tf.linalg.matvec(x, w) - y)
    loss = tf.reduce_sum(per_item * mask) / tf.reduce_sum(mask)
print(loss, tape.gradient(loss, w))  # nan [nan nan]
