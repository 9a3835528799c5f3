"""dz/dw of z = w * x + b is x = 10.0: gradients flow to the variables, not to the data.

From the second tutorial: x is a plain tensor (data), w and b are `tf.Variable`s. Every value
must be a floating-point number; with integers the gradient would be None.
"""

import tensorflow as tf

x = tf.convert_to_tensor(10.0)
w = tf.Variable(2.0)
b = tf.Variable(3.0)

with tf.GradientTape() as tape:
    z = w * x + b

dz_dw = tape.gradient(z, w)
print(dz_dw)
