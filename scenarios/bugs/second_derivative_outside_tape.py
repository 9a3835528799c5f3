"""A second derivative from one persistent tape, but the first gradient is taken after its block.

What the user saw: `tape.gradient(grads, v)` was None once `grads = tape.gradient(w, y)` moved
out of the `with` block ("the first gradient operation is not in the tape").
Report: https://github.com/tensorflow/tensorflow/issues/41510
"""

import tensorflow as tf

y = tf.constant(2.0)
v = tf.Variable(3.0)
with tf.GradientTape(persistent=True) as tape:
    tape.watch(y)
    tape.watch(v)
    w = y * y * v
grads = tape.gradient(w, y)  # 2*y*v = 12, computed after the block: not recorded
dgrads_dv = tape.gradient(grads, v)
print(grads, dgrads_dv)  # 12.0 None
