"""Made on a function's first call: a variable (`if self.v is None`) and a Keras layer's weights.

Compiled, both are made while the first call is traced, once. Traced first and then run
eagerly, they must still be made once, and the eager call must use them.
"""

import keras
import tensorflow as tf

tf.random.set_seed(0)
keras.utils.set_random_seed(0)


class Scale:
    def __init__(self):
        self.v = None
        self.made = 0

    @tf.function
    def __call__(self, x):
        if self.v is None:
            self.v = tf.Variable(2.0)
            self.made += 1
        with tf.GradientTape() as tape:
            y = self.v * x
        return tape.gradient(y, self.v)


scale = Scale()
print(float(scale(tf.constant(3.0))), float(scale(tf.constant(4.0))), scale.made)
print(type(scale.v).__name__)

layer = keras.layers.Dense(2)


@tf.function
def forward(x):
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(layer(x))
    return tape.gradient(loss, layer.trainable_variables)


for _ in range(2):
    grads = forward(tf.ones((3, 4)))
print(len(layer.weights), [round(float(tf.reduce_sum(g)), 4) for g in grads])
print(round(float(tf.reduce_sum(layer.kernel)), 4))
