"""An exponential growth model whose rate became too large: exp overflows float32.

Cause: nan_in_forward. ``tf.exp(rate * t)`` is inf in the forward pass (e^100 > 3.4e38).
"""

import tensorflow as tf

rate = tf.Variable(1.0)
t = tf.constant([1.0, 10.0, 100.0])

with tf.GradientTape() as tape:
    growth = tf.exp(rate * t)
    loss = tf.reduce_mean(growth)

print(loss)
print(tape.gradient(loss, rate))
