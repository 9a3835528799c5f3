"""A trace-time error: plain `python` raises it on the first call of the function."""

import tensorflow as tf

w = tf.Variable(2.0)


@tf.function
def step(x):
    print("tracing step")
    with tf.GradientTape() as tape:
        loss = w * x.numpy()
    return tape.gradient(loss, w)


print("before")
print(step(tf.constant(3.0)))
