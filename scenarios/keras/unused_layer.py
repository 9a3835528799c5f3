"""A layer built in `__init__` and never used in `call()`: its variables get no gradient.

`fit` computes the gradient of the loss with respect to every trainable variable, and `unused`'s
kernel and bias come back None: Keras warns "Gradients do not exist for variables …" and does not
update them. Note: missing_gradients_warning; cause: no_path (the loss does not depend on them).
"""

import keras
import numpy as np


class TwoHeads(keras.Model):
    def __init__(self):
        super().__init__()
        self.used = keras.layers.Dense(1, name="used")
        self.unused = keras.layers.Dense(1, name="unused")
        self.unused.build((None, 3))  # built, so it has variables, but never called

    def call(self, inputs):
        return self.used(inputs)  # `self.unused` is forgotten here


keras.utils.set_random_seed(0)  # the same data and initial weights on every run
x = np.random.random(size=(32, 3)).astype("float32")
y = x.sum(axis=1, keepdims=True)

model = TwoHeads()
model.compile(optimizer="sgd", loss="mse")
history = model.fit(x, y, epochs=1, batch_size=16, verbose=0)  # warns: no gradients for `unused`
print(round(history.history["loss"][0], 4))
