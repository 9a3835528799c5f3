"""The penalty is computed inside ``tape.stop_recording()``, so its gradient is None.

Cause: stop_recording. Nothing inside that block is recorded.
"""

import tensorflow as tf

w = tf.Variable([1.0, 2.0])

with tf.GradientTape(persistent=True) as tape:
    loss = tf.reduce_sum(w * w)
    with tape.stop_recording():
        penalty = 0.1 * tf.reduce_sum(tf.abs(w))

print(tape.gradient(loss, w))
print(tape.gradient(penalty, w))
del tape
