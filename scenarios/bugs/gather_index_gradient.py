"""The gradient of `tf.gather` with respect to its indices: integers have no gradient.

What the user saw (a frequent question, e.g. soft attention picking rows by a predicted index):
`tape.gradient(loss, index)` was `None`; indices are int32, and `tf.gather` is differentiable in
its params only.
"""

import tensorflow as tf

params = tf.Variable([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], name="params")
index = tf.Variable(1, name="index")
with tf.GradientTape() as tape:
    row = tf.gather(params, index)
    loss = tf.reduce_sum(row)
print(tape.gradient(loss, [params, index]))  # [IndexedSlices, None]
