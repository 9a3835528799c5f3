"""A frozen variable's features are computed before the tape: outside the tape and not trainable.

Causes: outside_tape first, then not_trainable (moving the line alone would still give None).
"""

import tensorflow as tf

embedding = tf.Variable([[0.1, 0.2], [0.3, 0.4]], trainable=False)
ids = tf.constant([1, 0])
features = tf.gather(embedding, ids)

with tf.GradientTape() as tape:
    loss = tf.reduce_sum(features * features)

print(tape.gradient(loss, embedding))
