"""A tf.function called with a new shape each time: TensorFlow warns that it retraces."""

import logging

import tensorflow as tf


class Echo(logging.Handler):
    def emit(self, record):
        print("logged:", record.getMessage()[:48])


tf.get_logger().addHandler(Echo())


@tf.function
def square(x):
    return x * x


for n in range(1, 8):
    square(tf.ones([n]))
print("done")
