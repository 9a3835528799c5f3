"""Control: tf.where over sqrt at 0 is finite in TensorFlow 2.21.

Finite: the backward kernel of ``Sqrt`` returns 0 when its upstream gradient is 0, so the
discarded branch contributes 0, not 0 × inf.
"""

import tensorflow as tf

x = tf.Variable([0.0, 1.0, 4.0])

with tf.GradientTape() as tape:
    root = tf.where(x > 0, tf.sqrt(x), 0.0)
    loss = tf.reduce_sum(root)

print(tape.gradient(loss, x))
