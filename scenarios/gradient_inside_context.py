"""gradient() called inside the tape's `with` block still works: dy/dx of x⁴ at 3.0 is 108.0.

From the second tutorial: the gradient is asked for inside the context of a non-persistent
tape, which stops recording first. (On a persistent tape, a gradient call inside the context
is recorded too, which is only useful for higher-order derivatives.)
"""

import tensorflow as tf

x = tf.constant(3.0)
with tf.GradientTape(persistent=False) as tape:
    tape.watch(x)  # watch x before computing with it, or the gradient is None
    y = x * x * x * x
    dy = tape.gradient(target=y, sources=x)

    print(dy)

# tf.Tensor(108.0, shape=(), dtype=float32)
