"""gradient() arguments: output_gradients weights the target; unconnected_gradients picks None or 0.

From the second tutorial's list of `gradient` arguments: `target` and `sources` may be nested
structures (the result has the structure of `sources`), `output_gradients` gives one upstream
gradient per target element, and `unconnected_gradients` ("none" or "zero") decides what a
source the target does not depend on gets.
"""

import tensorflow as tf

x = tf.constant([1.0, 2.0])
unused = tf.constant(5.0)  # the target does not depend on it

with tf.GradientTape(persistent=True) as tape:
    tape.watch([x, unused])
    y = x * x

# Plain: dy/dx = 2x, summed over the target's elements.
print(tape.gradient(y, x))  # [2.0, 4.0]

# output_gradients weights each target element: 2x * [1, 10] = [2, 40].
print(tape.gradient(y, x, output_gradients=tf.constant([1.0, 10.0])))

# A source the target does not depend on: None by default ...
print(tape.gradient(y, {"x": x, "unused": unused}))

# ... or zeros with unconnected_gradients=ZERO.
print(
    tape.gradient(y, {"x": x, "unused": unused}, unconnected_gradients=tf.UnconnectedGradients.ZERO)
)
del tape
