"""A tf.function whose trace fails, caught and its traceback printed by the scenario itself."""

import sys
import traceback

import tensorflow as tf


@tf.function
def flatten_to_three(x):
    return tf.reshape(x, [3])


try:
    flatten_to_three(tf.ones([2]))
except ValueError:
    frames = traceback.extract_tb(sys.exc_info()[2])
    print("frames", [frame.name for frame in frames])
