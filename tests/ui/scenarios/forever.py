"""A scenario that never finishes: the debugger must be able to cancel it."""

import time

import tensorflow as tf

x = tf.constant(1.0)
while True:
    time.sleep(0.1)
