"""A second derivative of a constant input: only the inner tape watches it, the outer one does not.

What the user saw (a common question about Hessians with nested tapes, e.g. TensorFlow issue
42845's pattern): `outer.gradient(dy_dx, x)` was `None`; `x` is a `tf.constant`, watched by the
inner tape only.
"""

import tensorflow as tf

x = tf.constant(2.0)
with tf.GradientTape() as outer:
    with tf.GradientTape() as inner:
        inner.watch(x)
        y = x**3
    dy_dx = inner.gradient(y, x)
d2y_dx2 = outer.gradient(dy_dx, x)
print(dy_dx, d2y_dx2)  # 12.0 None
