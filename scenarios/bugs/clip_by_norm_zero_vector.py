"""`tf.clip_by_norm` of a zero vector: the forward value is 0, the gradient NaN.

What the user saw (TensorFlow issue 22048): the gradient of `tf.clip_by_norm(a, 1.0)` at
`a = [0, 0, 0]` was `[nan, nan, nan]` though the clip leaves small vectors unchanged (gradient 1).
"""

import tensorflow as tf

a = tf.zeros([3])
with tf.GradientTape() as tape:
    tape.watch(a)
    b = tf.clip_by_norm(a, 1.0)
print(tape.gradient(b, a))  # [nan nan nan]
