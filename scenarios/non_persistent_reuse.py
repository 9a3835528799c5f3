"""A non-persistent tape answers one gradient call; the second one raises RuntimeError.

From the second tutorial: without `persistent=True`, the tape is erased by its first
`gradient()` call, so asking it again raises "A non-persistent GradientTape can only be used
to compute one set of gradients". The error is caught and printed so the scenario finishes.
"""

import tensorflow as tf

x = tf.constant(3.0)
with tf.GradientTape() as tape:  # persistent=False, the default
    tape.watch(x)
    y = x * x
    z = y * y

dz_dx = tape.gradient(z, x)  # 4x³ = 108.0
print(dz_dx)

try:
    dy_dx = tape.gradient(y, x)  # the tape is gone
except RuntimeError as error:
    print(f"RuntimeError: {error}")
