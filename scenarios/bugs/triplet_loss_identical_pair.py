"""A triplet loss whose anchor equals its positive: the distance is `sqrt(0)` and the gradient NaN.

What the user saw (TensorFlow issue 30199): whenever a batch held a positive identical to its
anchor, the whole gradient became `nan`; the distance was `sqrt(reduce_sum(square(a - p)))`.
"""

import keras
import tensorflow as tf

keras.utils.set_random_seed(0)
embed = keras.layers.Dense(2, name="embed")
anchor = tf.constant([[1.0, 0.0, 2.0]])
positive = tf.constant([[1.0, 0.0, 2.0]])  # the same sample
negative = tf.constant([[0.0, 3.0, 1.0]])
embed(anchor)
with tf.GradientTape() as tape:
    a, p, n = embed(anchor), embed(positive), embed(negative)
    d_pos = tf.sqrt(tf.reduce_sum(tf.square(a - p), axis=1))
    d_neg = tf.sqrt(tf.reduce_sum(tf.square(a - n), axis=1))
    loss = tf.reduce_mean(tf.maximum(d_pos - d_neg + 5.0, 0.0))  # margin 5
print(tape.gradient(loss, embed.trainable_variables))  # nan everywhere
