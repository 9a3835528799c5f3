"""A `tf.custom_gradient` (a straight-through clip) whose gradient function returns `None`.

What the user saw (reports of `@tf.custom_gradient` giving a `None` gradient, often a
gradient function written as a stub or with a branch that falls through): the forward value is
right, `tape.gradient` returns `None`. tapetui should say the custom gradient function
`clip_op` returned None for its input, at the line calling it, and say to return `dy * …`.
"""

import tensorflow as tf


@tf.custom_gradient
def clip_op(x):
    def grad(dy):
        if tf.reduce_all(x > 0.0):
            return None  # meant: dy, straight through
        return dy

    return tf.clip_by_value(x, 0.0, 1.0), grad


w = tf.Variable(0.5, name="w")
with tf.GradientTape() as tape:
    loss = clip_op(w * 2.0)
print(float(loss), tape.gradient(loss, w))  # 1.0 None
