"""Per-example losses with `tf.vectorized_map` inside the tape: pfor runs the function as a graph.

What the user wanted: each example's own loss (to weight or clip it) and the gradient of their
mean. `tf.vectorized_map` traces the per-example function once and runs it for every example
at once as a graph (pfor), by design: it is one op in the recording, although tapetui runs
the scenario's own tf.functions eagerly. The gradient flows through it: mean of 2·x·(x·w).
"""

import tensorflow as tf

w = tf.Variable([[0.5], [-1.0]])
x = tf.constant([[1.0, 2.0], [3.0, 4.0]])


def example_loss(xi):
    return tf.reduce_sum(tf.square(tf.matmul(xi[None], w)))


with tf.GradientTape() as tape:
    losses = tf.vectorized_map(example_loss, x)
    loss = tf.reduce_mean(losses)
print(losses.numpy(), tape.gradient(loss, w).numpy()[:, 0])  # [2.25 6.25] [-9. -13.]
