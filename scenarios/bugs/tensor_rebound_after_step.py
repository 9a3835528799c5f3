"""Gradient descent by hand: after the first step `x` is a plain tensor, and the tape ignores it.

What the user saw: the first `tape.gradient(y, x)` was 6.0, every later one `None`; the update
`x = x - 0.1 * grad` had turned the `tf.Variable` into a `tf.Tensor`, which no tape watches by
itself (a Stack Overflow question asked many times; `x.assign_sub(...)` keeps the variable).
"""

import tensorflow as tf

x = tf.Variable(3.0)
for step in range(3):
    with tf.GradientTape() as tape:
        y = x * x
    grad = tape.gradient(y, x)
    print(step, grad)  # 6.0, then None, None
    if grad is not None:
        x = x - 0.1 * grad  # rebinds x to a new tensor
