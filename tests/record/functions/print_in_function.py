"""A Python `print` and a `tf.print` inside a function called 3 times.

Plain `python` prints "python print" once (while tracing) and "tf.print" on every call, and
so does the recorded run: the trace prints, the eager runs of the body are quiet.
"""

import tensorflow as tf


@tf.function
def step(x):
    print("python print")
    tf.print("tf.print")
    return x * 2.0


for _ in range(3):
    step(tf.constant(1.0))
