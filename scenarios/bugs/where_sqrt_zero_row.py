"""`tf.where` guards a norm, but the norm's gradient at a zero row is still NaN.

What the user saw (the `tf.where` NaN-gradient reports, TensorFlow issues 20091 and 38349, and
the same pattern in JAX): `tf.where(d > 0.5, d, 1.0)` with `d = sqrt(sum(x²))` selected 1.0 for
the zero row, yet that row's gradient was `nan`; the double where fixes it.
"""

import tensorflow as tf

x = tf.Variable([[1.0, 2.0], [3.0, 4.0], [0.0, 0.0]], name="x")
with tf.GradientTape() as tape:
    d = tf.sqrt(tf.reduce_sum(x**2, axis=1))
    safe = tf.where(d > 0.5, d, tf.ones_like(d))
    total = tf.reduce_sum(safe)
print(tape.gradient(total, x))  # last row nan
