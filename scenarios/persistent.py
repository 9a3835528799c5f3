"""One persistent tape answers two gradients: dz/dx = 8.0 and dz/dy = 6.0, then `del tape`.

From the first tutorial: z = x² + y², with x = 4 and y = 3. Without `persistent=True` the
second `tape.gradient()` would raise, because a tape is erased after its first use.
"""

import tensorflow as tf

x = tf.Variable(4.0)
y = tf.Variable(3.0)

with tf.GradientTape(persistent=True) as tape:
    z1 = x * x
    z2 = y * y
    z = z1 + z2

# ∂z/∂x = 2x = 8.0
dz_dx = tape.gradient(z, x)
print(dz_dx)

# ∂z/∂y = 2y = 6.0; without persistent=True this second call would raise.
dz_dy = tape.gradient(z, y)
print(dz_dy)

# Release the tape's resources by hand once done.
del tape
