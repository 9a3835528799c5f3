"""A subclassed model's `call` applies only its last layer to the input: the others get no gradient.

What the user saw: "No gradients for bias and kernels in Dense layer"; the answer: "your model's
call method returns the output of layer4(x), meaning that the first three layers have no effect".
Report: https://github.com/tensorflow/tensorflow/issues/36880
"""

import keras
import numpy as np
import tensorflow as tf


class Net(keras.Model):
    def __init__(self):
        super().__init__()
        self.linear1 = keras.layers.Dense(4, name="linear1")
        self.linear2 = keras.layers.Dense(4, name="linear2")
        self.linear3 = keras.layers.Dense(3, name="linear3")

    def call(self, x):
        output = self.linear1(x)
        output = self.linear2(output)
        output = self.linear3(x)  # x, not output: linear1 and linear2 are left out
        return output


keras.utils.set_random_seed(0)
model = Net()
x = np.random.random(size=(8, 3)).astype("float32")
y = np.random.random(size=(8, 3)).astype("float32")
optimizer = keras.optimizers.SGD(0.1)
with tf.GradientTape() as tape:
    loss = tf.reduce_mean(tf.square(model(x) - y))
grads = tape.gradient(loss, model.trainable_variables)
optimizer.apply_gradients(zip(grads, model.trainable_variables))  # warns: 4 Nones
