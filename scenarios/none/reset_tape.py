"""``tape.reset()`` is called after the first loss, which erases it; its gradient is then None.

Cause: tape_reset. reset() drops everything recorded so far.
"""

import tensorflow as tf

w = tf.Variable(3.0)

with tf.GradientTape() as tape:
    first_loss = w * w
    tape.reset()
    second_loss = 2.0 * w

print(tape.gradient(first_loss, w))
