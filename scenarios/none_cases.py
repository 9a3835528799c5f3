"""A gradient is None when the tape did not record the computation: y1 ran outside the tape.

From the first tutorial's list of None cases: y1 = x * x is computed before the `with` block,
so the tape never saw it and dy1/dx is None; y2 = x + 1 is computed inside, so dy2/dx = 1.0.
The tutorial asks a non-persistent tape twice, which raises on the second call (see
non_persistent_reuse.py); this tape is persistent so that both answers can be printed.
"""

import tensorflow as tf

x = tf.Variable(2.0)
y1 = x * x  # computed outside the tape: not recorded

with tf.GradientTape(persistent=True) as tape:
    y2 = x + 1  # computed inside the tape: recorded

print(tape.gradient(y1, x))  # None: y1 was not recorded
print(tape.gradient(y2, x))  # tf.Tensor(1.0, ...): y2 was recorded
del tape
