"""An integer tensor is not differentiable: watching it logs a warning and the gradient is None.

From the second tutorial: inputs and variables must be floating point; with integers the
gradient comes out None. TensorFlow warns when an int32 tensor is watched.
"""

import tensorflow as tf

x = tf.constant(3)  # int32, not float32

with tf.GradientTape() as tape:
    tape.watch(x)  # TensorFlow logs a warning: the watched dtype must be floating
    y = x * x

print(tape.gradient(y, x))  # None

x = tf.constant(3.0)  # the same with a float gives 6.0
with tf.GradientTape() as tape:
    tape.watch(x)
    y = x * x

print(tape.gradient(y, x))
