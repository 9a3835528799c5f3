"""A `tf.function` train step whose loss is the error rate of `tf.argmax` predictions: Adam raises
"No gradients provided for any variable".

What the user saw (the many "No gradients provided" reports with an accuracy-like loss inside
`@tf.function`): the error comes from `apply_gradients` in the compiled step. tapetui should
name ArgMax (`non_differentiable_op`) at the `tf.argmax` line for `w`, and the optimizer's
error as caused by it.
"""

import tensorflow as tf

w = tf.Variable([[0.1, 0.9], [0.8, 0.2]], name="w")
opt = tf.keras.optimizers.Adam(0.1)
x = tf.constant([[1.0, 0.0], [0.0, 1.0]])
y = tf.constant([1, 0])


@tf.function
def train_step():
    with tf.GradientTape() as tape:
        pred = tf.argmax(x @ w, axis=1, output_type=tf.int32)
        loss = tf.reduce_mean(tf.cast(tf.not_equal(pred, y), tf.float32))
    grads = tape.gradient(loss, [w])
    opt.apply_gradients(zip(grads, [w]))
    return loss


train_step()
