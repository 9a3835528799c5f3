"""A custom training step run by `tf.distribute.OneDeviceStrategy.run`.

What users write (the custom-training-loop guide with a strategy, and reports of gradients
lost under `strategy.run`): the gradient arrives, `[[6.0], [12.0]]`, and SGD applies it.
tapetui should record the tape inside `strategy.run` with TensorFlow's value.
"""

import tensorflow as tf

strategy = tf.distribute.OneDeviceStrategy("/cpu:0")
with strategy.scope():
    w = tf.Variable([[1.0], [1.0]], name="w")
    opt = tf.keras.optimizers.SGD(0.1)
x = tf.constant([[1.0, 2.0]])


def step(x):
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(tf.matmul(x, w) ** 2)
    grad = tape.gradient(loss, w)
    opt.apply_gradients([(grad, w)])
    return grad


grad = strategy.run(step, args=(x,))
print(grad.numpy().tolist(), w.numpy().tolist())
