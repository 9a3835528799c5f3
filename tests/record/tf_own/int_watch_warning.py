"""Integer tensors watched from two places: TensorFlow warns up to five times per calling line."""

import logging

import tensorflow as tf


class Echo(logging.Handler):
    def emit(self, record):
        print("logged:", record.getMessage())


tf.get_logger().addHandler(Echo())
for step in range(7):
    with tf.GradientTape() as tape:
        tape.watch(tf.constant(step))
with tf.GradientTape() as tape:
    tape.watch(tf.constant([1, 2]))
print("done")
