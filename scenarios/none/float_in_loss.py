"""Two loss terms are combined as Python floats, so the total loss no longer depends on the weights.

Cause: left_tensorflow. ``float(t)`` leaves TensorFlow; the result comes back as a new constant.
"""

import tensorflow as tf

w = tf.Variable([1.0, -2.0])
x = tf.constant([0.5, 1.5])

with tf.GradientTape() as tape:
    mse = tf.reduce_mean(tf.square(w * x - 1.0))
    l2 = tf.reduce_sum(tf.square(w))
    total = tf.convert_to_tensor(float(mse) + 0.01 * float(l2))

print(tape.gradient(total, w))
