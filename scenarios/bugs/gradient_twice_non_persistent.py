"""Two `tape.gradient` calls on one non-persistent tape: the second raises.

What the user saw (the `RuntimeError: A non-persistent GradientTape can only be used to compute
one set of gradients` reports, e.g. a generator and a discriminator loss asked of one tape):
the first gradient is right, the second call raises. tapetui should show the first gradient
(3.0) and give the second call the `persistent_reuse` cause, naming both lines.
"""

import tensorflow as tf

a = tf.Variable(2.0, name="a")
b = tf.Variable(3.0, name="b")
with tf.GradientTape() as tape:
    loss = a * b
print(float(tape.gradient(loss, a)))  # 3.0
print(tape.gradient(loss, b))  # RuntimeError
