"""Second derivatives need nested tapes: d²z/dx² of x⁴ at 3.0 is 108.0 and d²y/dx² of x² is 2.0.

The second tutorial computes dz/dx and dy/dx for y = x², z = y² from one persistent tape and
calls dy/dx a "second derivative"; it is the first derivative of y (6.0). A second derivative
differentiates a gradient again: the inner tape's gradient is computed inside the outer tape,
which records it.
"""

import tensorflow as tf

x = tf.constant(3.0)

# The tutorial's version: two first derivatives from one persistent tape.
with tf.GradientTape(persistent=True) as tape:
    tape.watch(x)
    y = x * x
    z = y * y
dz_dx = tape.gradient(z, x)  # dz/dx = 4x³ = 108.0
dy_dx = tape.gradient(y, x)  # dy/dx = 2x = 6.0, a first derivative
print(dz_dx, dy_dx)
del tape

# Real second derivatives: the outer tape records the inner tape's gradient computation.
with tf.GradientTape(persistent=True) as outer:
    outer.watch(x)
    with tf.GradientTape(persistent=True) as inner:
        inner.watch(x)
        y = x * x
        z = y * y
    dz_dx = inner.gradient(z, x)  # 4x³ = 108.0
    dy_dx = inner.gradient(y, x)  # 2x = 6.0
d2z_dx2 = outer.gradient(dz_dx, x)  # 12x² = 108.0
d2y_dx2 = outer.gradient(dy_dx, x)  # 2.0
print(d2z_dx2, d2y_dx2)
del inner, outer
