"""Computing in float16: a square overflows past 65504, the loss is inf and the gradient NaN.

What the user saw (Keras issue 16552): with the `mixed_float16` policy the loss became `inf`
and the gradients `nan`, while the same model trained in float32.
"""

import tensorflow as tf

w = tf.Variable(tf.constant([2.0, 3.0], dtype=tf.float16), name="w")
features = tf.constant([[150.0, 40.0], [90.0, 120.0]], dtype=tf.float16)
target = tf.constant([1.0, 0.0], dtype=tf.float16)
with tf.GradientTape() as tape:
    prediction = tf.linalg.matvec(features, w)  # 420 and 540: fine in float16
    loss = tf.reduce_sum(tf.square(prediction - target))  # 540² > 65504: inf
print(loss, tape.gradient(loss, w))  # inf [nan nan] or [inf inf]
