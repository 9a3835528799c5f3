"""The distance between a prediction and its target, at the moment they are equal.

Cause: infinite_local_derivative. ``tf.norm`` is sqrt(sum(d²)); at d = 0 the derivative of the
square root, 1/(2·√0), is infinite.
"""

import tensorflow as tf

prediction = tf.Variable([1.0, 2.0])
target = tf.constant([1.0, 2.0])

with tf.GradientTape() as tape:
    distance = tf.norm(prediction - target)

print(tape.gradient(distance, prediction))
