"""With two tapes, the gradient is asked of the one that did not record the loss: None.

Cause: other_tape. Each tape only knows what it recorded itself.
"""

import tensorflow as tf

x = tf.Variable(2.0)

with tf.GradientTape() as outer_tape:
    y = x * x

with tf.GradientTape() as inner_tape:
    z = y * 3.0

print(inner_tape.gradient(y, x))
