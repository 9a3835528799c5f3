"""The sources list of `tape.gradient` holds a Python float next to the variable.

What the user saw (questions about mixing hyper-parameters into the list of sources): a
`TypeError` from `tape.gradient`; every source must be a tensor or a variable.
"""

import tensorflow as tf

w = tf.Variable(2.0, name="w")
learning_rate = 0.5
with tf.GradientTape() as tape:
    y = w * 3.0 * learning_rate
print(tape.gradient(y, [w, learning_rate]))  # raises TypeError
