"""A running total is kept in a variable with ``assign_add``; the loss read from it has no gradient.

Cause: stateful_assign. An assignment copies a value into a variable; gradients do not flow through it.
"""

import tensorflow as tf

weight = tf.Variable(2.0)
total = tf.Variable(0.0, trainable=False)

with tf.GradientTape() as tape:
    total.assign_add(weight * 3.0)
    loss = total * total

print(tape.gradient(loss, weight))
