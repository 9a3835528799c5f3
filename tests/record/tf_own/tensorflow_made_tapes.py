"""tf.recompute_grad recomputes its block under a tape of its own in the backward pass, and
tf.autodiff.ForwardAccumulator makes tapes for each op it pushes tangents through: tapes the
scenario never wrote, beside its own two."""

import tensorflow as tf

block = tf.recompute_grad(lambda v: tf.sin(v) * 3.0)
x = tf.Variable([0.1, 2.0])
with tf.GradientTape() as tape:
    y = tf.reduce_sum(block(x) * 5.0)
print("grad", [round(float(g), 4) for g in tape.gradient(y, x)])  # 15 cos(x)

with tf.GradientTape() as outer:
    with tf.autodiff.ForwardAccumulator(x, tf.constant([1.0, 0.0])) as acc:
        z = tf.reduce_sum(x**2)
    jvp = acc.jvp(z)
print("jvp", float(jvp), "grad", outer.gradient(z, x).numpy().tolist())
