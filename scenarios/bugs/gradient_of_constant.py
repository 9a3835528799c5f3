"""The target is a constant created inside the tape; the source is a tensor it never used.

What the user saw: `grads:  None` for `tape.gradient(class_channel, ones)`, where
`class_channel = tf.constant([4.43])` had nothing to do with `ones`.
Report: https://github.com/tensorflow/tensorflow/issues/56968
"""

import tensorflow as tf

ones = tf.ones([1, 4, 4, 1], tf.float32)
with tf.GradientTape() as tape:
    class_channel = tf.constant([4.4328732], dtype=tf.float32)
grads = tape.gradient(class_channel, ones)
print("grads: ", grads)  # None
