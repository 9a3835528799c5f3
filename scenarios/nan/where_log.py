"""A "safe" tf.where over log: the branch it discards still has an infinite derivative at 0.

Cause: where_trap. ``tf.where`` picks 0.0 where ``x`` is 0, but the backward pass still runs
through ``tf.math.log(x)`` there: its gradient is 0 × (1/0) = 0 × inf = NaN.
"""

import tensorflow as tf

x = tf.Variable([0.0, 1.0, 2.0])

with tf.GradientTape() as tape:
    safe_log = tf.where(x > 0, tf.math.log(x), 0.0)
    loss = tf.reduce_sum(safe_log)

print(tape.gradient(loss, x))
