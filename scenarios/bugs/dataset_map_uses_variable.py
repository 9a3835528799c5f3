"""A `tf.data` pipeline multiplies by a variable in `map`: the tape does not see the pipeline.

What the user saw (a Stack Overflow question on gradients through `Dataset.map`): the gradient
with respect to the scale variable used in `map` was `None`; the dataset runs as its own graph,
outside any tape, so its ops are never recorded.
"""

import tensorflow as tf

scale = tf.Variable(2.0, name="scale")
data = tf.data.Dataset.from_tensor_slices([1.0, 2.0, 3.0]).map(lambda v: v * scale).batch(3)
with tf.GradientTape() as tape:
    batch = next(iter(data))
    loss = tf.reduce_sum(batch)
print(tape.gradient(loss, scale))  # None
