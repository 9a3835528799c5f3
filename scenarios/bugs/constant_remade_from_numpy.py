"""The input is converted from NumPy once and watched, then converted again for a second loss:
the second gradient is `None`.

What the user saw (reports of "gradient w.r.t. the input is None" where `tf.constant(x_np)` or
`tf.convert_to_tensor(x_np)` appears twice): the first gradient is right, the second `None`
although the numbers are the same. The second loss uses a new constant, not `x`: tapetui should
say `no_path`, and not blame the first gradient's `.numpy()` (the loss never used it).
"""

import numpy as np
import tensorflow as tf

x_np = np.array([1.0, 2.0], dtype=np.float32)
x = tf.constant(x_np)
with tf.GradientTape() as tape:
    tape.watch(x)
    y = tf.reduce_sum(x * x)
print(tape.gradient(y, x).numpy().tolist())  # [2.0, 4.0]
with tf.GradientTape() as tape:
    tape.watch(x)
    cube = tf.reduce_sum(tf.constant(x_np) ** 3)
print(tape.gradient(cube, x))  # None
