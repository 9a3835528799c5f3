"""A ``tf.custom_gradient`` given a Keras variable, called in a ``tf.function`` (Keras' float8
``Dense`` does this in its train step): compiled, the variable is read before the decorated
function runs, so its gradient is an input's and ``grad_fn`` is not given ``variables`` (given
them, its two gradients would be taken for two groups and the call would raise). Called again
past the detail budget's ten tapes, it stays so."""

import keras
import tensorflow as tf

scale = keras.Variable(3.0, name="scale")


@tf.custom_gradient
def scaled(x, s):
    def grad(*args, upstream=None, variables=None):
        if upstream is None:
            (upstream,) = args
        return upstream * s, upstream * x

    return x * s, grad


@tf.function
def step(x):
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = scaled(x, scale)
    return tape.gradient(y, [x, scale])


print("grads", [float(g) for g in step(tf.constant(2.0))])
later = [step(tf.constant(float(n))) for n in range(12)]
print("later", [float(dx) for dx, _ in later][-1], [float(ds) for _, ds in later][-1])
