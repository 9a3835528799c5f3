"""Plain TensorFlow arithmetic with no GradientTape at all."""

import tensorflow as tf

a = tf.constant(2.0)
b = a * 3.0
print("b =", b.numpy())
