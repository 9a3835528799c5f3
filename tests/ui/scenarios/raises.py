"""A training step that fails half-way: the shapes of the weights and the input do not match."""

import tensorflow as tf

w = tf.Variable([[1.0, 2.0]])
x = tf.constant([[3.0, 4.0]])
with tf.GradientTape() as tape:
    h = w * x
    loss = tf.reduce_sum(tf.matmul(h, x))
print("loss", loss.numpy())
