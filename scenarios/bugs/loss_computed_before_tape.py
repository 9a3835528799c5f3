"""The loss is computed once, before the tape, and the step only asks for its gradient.

What the user saw: `ValueError: No gradients provided for any variable` from the optimizer on the
first step. The cost was built outside the function/tape that records the step, so nothing the
tape recorded links the cost to the variable.
Report: https://github.com/tensorflow/tensorflow/issues/42167
"""

import keras
import tensorflow as tf

y_n = tf.Variable([1.0, 2.0, 3.0], name="y_n")
cost = -tf.reduce_mean(tf.reduce_sum(tf.math.log(y_n), axis=0))  # computed once, here

optimizer = keras.optimizers.Adam(0.5)
with tf.GradientTape() as tape:
    loss = cost  # the tape records nothing: the cost already exists
grads = tape.gradient(loss, [y_n])
optimizer.apply_gradients(zip(grads, [y_n]))  # raises ValueError: No gradients provided
