"""Random ops given their own seeds (TensorFlow's global seed left unset, as random_test does):
TensorFlow draws them from its default graph seed, so a run prints the same numbers every time."""

import tensorflow as tf

w = tf.Variable(tf.random.normal([3], seed=7))
noise = tf.random.uniform([2], seed=11)
order = tf.random.shuffle(tf.range(5), seed=3)
with tf.GradientTape() as tape:
    loss = tf.reduce_sum(w * w) + tf.reduce_sum(noise)
grad = tape.gradient(loss, w)
print("w", [round(float(v), 5) for v in w.numpy()])
print("noise", [round(float(v), 5) for v in noise.numpy()])
print("order", order.numpy().tolist())
print("grad", [round(float(v), 5) for v in grad.numpy()])
