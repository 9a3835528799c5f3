"""Cross-entropy with softmax written by hand: exp of a large logit is inf.

Cause: nan_in_forward. ``tf.exp(1000.0)`` overflows float32 in the forward pass, so the
softmax is inf / inf = NaN before any gradient is taken.
"""

import tensorflow as tf

logits = tf.Variable([1000.0, 0.0, -5.0])

with tf.GradientTape() as tape:
    exps = tf.exp(logits)
    softmax = exps / tf.reduce_sum(exps)
    loss = -tf.math.log(softmax[0])

print(loss)
print(tape.gradient(loss, logits))
