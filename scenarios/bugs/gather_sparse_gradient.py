"""`tf.gather` of a model's output and of an embedding: the gradients are IndexedSlices.

What the user saw: `UserWarning: Converting sparse IndexedSlices to a dense Tensor of unknown
shape` whenever `tf.gather` took the output of another op; the gradients themselves are fine.
Report: https://github.com/tensorflow/tensorflow/issues/38168
"""

import tensorflow as tf

embedding = tf.Variable(tf.reshape(tf.range(12, dtype=tf.float32), [6, 2]) / 10.0)
w = tf.Variable([[1.0], [-1.0]])
ids = tf.constant([0, 2, 2, 5])
with tf.GradientTape() as tape:
    rows = tf.gather(embedding, ids)  # the gradient for `embedding` is IndexedSlices
    scores = tf.matmul(rows, w)
    picked = tf.gather(scores, [1, 3])  # the gather of another op's output
    loss = tf.reduce_sum(picked * picked)
grads = tape.gradient(loss, [embedding, w])
print(type(grads[0]).__name__, tf.convert_to_tensor(grads[0]).numpy().tolist(), grads[1])
