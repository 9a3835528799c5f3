"""Control: the same cross-entropy with tf.nn.log_softmax, finite for large logits.

Finite: ``log_softmax`` subtracts the largest logit before taking exp.
"""

import tensorflow as tf

logits = tf.Variable([1000.0, 0.0, -5.0])

with tf.GradientTape() as tape:
    loss = -tf.nn.log_softmax(logits)[0]

print(loss)
print(tape.gradient(loss, logits))
