"""The target is computed in the gradient call's own argument, after the tape's block closed.

What the user saw: `t.gradient(f(x), x)` returned None, while `out = f(x)` inside the block and
`t.gradient(out, x)` worked ("of course, this isn't a bug at all! it's a scoping problem").
Report: https://github.com/tensorflow/tensorflow/issues/27660
"""

import tensorflow as tf


def f(x):
    return x**2


def grad(x):
    with tf.GradientTape() as t:
        t.watch(x)
    return t.gradient(f(x), x)  # f(x) runs here, after the block: None


x = tf.convert_to_tensor(9.0)
print(grad(x))
