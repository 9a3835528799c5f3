"""A `tf.Module` layer creates its weight lazily, in `__call__`, inside the tape.

What users write (the "variables created on first call" pattern of `tf.Module` tutorials and
reports asking whether such a variable is watched): the gradient arrives, `[[6.0], [12.0]]`.
tapetui should name the variable after the module's binding, `layer.w` (not `self.w` nor
`Variable 'w'`), and show TensorFlow's value.
"""

import tensorflow as tf


class Dense(tf.Module):
    def __init__(self, units):
        super().__init__()
        self.units = units
        self.w = None

    def __call__(self, x):
        if self.w is None:
            self.w = tf.Variable(tf.ones([x.shape[-1], self.units]), name="w")
        return x @ self.w


layer = Dense(1)
x = tf.constant([[1.0, 2.0]])
with tf.GradientTape() as tape:
    loss = tf.reduce_sum(layer(x) ** 2)
print(tape.gradient(loss, layer.trainable_variables))
