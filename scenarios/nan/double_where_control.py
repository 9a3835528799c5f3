"""Control: the "double where" makes the discarded branch safe too, so the gradient is finite.

Finite: ``log`` only ever sees 1.0 where ``x`` is 0.
"""

import tensorflow as tf

x = tf.Variable([0.0, 1.0, 2.0])

with tf.GradientTape() as tape:
    positive = tf.where(x > 0, x, 1.0)
    safe_log = tf.where(x > 0, tf.math.log(positive), 0.0)
    loss = tf.reduce_sum(safe_log)

print(tape.gradient(loss, x))
