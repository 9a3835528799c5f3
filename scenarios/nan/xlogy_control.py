"""Control: an entropy with tf.math.xlogy, finite where a probability is 0.

Finite: ``xlogy(p, p)`` is 0 at p = 0, and so is its gradient (p · log p by hand is NaN there).
"""

import tensorflow as tf

p = tf.Variable([0.0, 0.5, 0.5])

with tf.GradientTape() as tape:
    entropy = -tf.reduce_sum(tf.math.xlogy(p, p))

print(tape.gradient(entropy, p))
