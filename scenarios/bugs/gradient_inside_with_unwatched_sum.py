"""The source is a tensor made before the tape from a variable: no tape watches it.

What the user saw (TensorFlow issue 29942): `z = x + y` inside the tape, `tape.gradient(z, x)`
was `None` while `tf.gradients` gave 1; `x = x0 + x1` had been computed before the tape opened,
so `x` is neither a variable nor watched.
"""

import tensorflow as tf

x0 = tf.Variable(1.0, name="x0")
x1 = tf.constant(3.0)
x = x0 + x1
y = tf.constant(4.0)
with tf.GradientTape() as tape:
    z = x + y
    tape_grad = tape.gradient(z, x)
print(tape_grad)  # None
