"""Accuracy computed with ``tf.argmax`` is used as the loss, so the gradient is None.

Cause: non_differentiable_op. argmax returns integer positions and has no gradient.
"""

import tensorflow as tf

logits_w = tf.Variable([[0.2, 0.8], [0.6, 0.4]])
features = tf.constant([[1.0, 0.0], [0.0, 1.0]])
labels = tf.constant([1, 0], dtype=tf.int64)

with tf.GradientTape() as tape:
    logits = tf.matmul(features, logits_w)
    predicted = tf.argmax(logits, axis=1)
    accuracy = tf.reduce_mean(tf.cast(tf.equal(predicted, labels), tf.float32))
    loss = 1.0 - accuracy

print(tape.gradient(loss, logits_w))
