"""A `@tf.function` training step called in a loop: 5 steps of linear regression with SGD.

The shape most TensorFlow 2 training code has: the tape, the gradient and the optimizer's
update all inside one compiled function. tapetui runs the function's body eagerly while it
records (traced first, as TensorFlow would), so each step's ops, tape and gradient call are
recorded at their own lines; with `--graph` each call is one `train_step` op instead.
"""

import keras
import tensorflow as tf

x = tf.constant([[1.0], [2.0], [3.0], [4.0]])
y = tf.constant([[3.0], [5.0], [7.0], [9.0]])  # y = 2x + 1

w = tf.Variable([[0.5]], name="w")
b = tf.Variable([0.0], name="b")
opt = keras.optimizers.SGD(learning_rate=0.05)


@tf.function
def train_step(x, y):
    with tf.GradientTape() as tape:
        pred = tf.matmul(x, w) + b
        loss = tf.reduce_mean(tf.square(pred - y))
    grads = tape.gradient(loss, [w, b])
    opt.apply_gradients(zip(grads, [w, b]))
    return loss, grads


for step in range(5):
    loss, (dw, db) = train_step(x, y)
    print(f"step {step}: loss {float(loss):.6f} dw {float(dw[0, 0]):.6f} db {float(db[0]):.6f}")
