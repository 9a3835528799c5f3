"""With watch_accessed_variables=False, watching an unbuilt layer's variables watches nothing.

From the second tutorial: `a.variables` is an empty list until the layer is built by its first
call, so `tape.watch(a.variables)` watches nothing and the gradients are [None, None]. With
`watch_accessed_variables=True` the tape watches the kernel and bias as the layer reads them.
"""

import numpy as np
import tensorflow as tf

tf.keras.utils.set_random_seed(0)  # the same inputs and initial weights on every run

inputs = np.random.random(size=(2, 4))
a = tf.keras.layers.Dense(32)
b = tf.keras.layers.Dense(32)
with tf.GradientTape(persistent=False, watch_accessed_variables=False) as tape:
    tape.watch(a.variables)  # `a` is not built yet: a.variables is [], nothing is watched
    result = b(a(inputs))
    grad = tape.gradient(target=result, sources=a.variables)  # [None, None]
    print(grad)

inputs = np.random.random(size=(2, 2))
a = tf.keras.layers.Dense(2)
b = tf.keras.layers.Dense(3)
with tf.GradientTape(persistent=False, watch_accessed_variables=True) as tape:
    tape.watch(a.variables)  # still empty, but the tape watches what the layers read
    result = b(a(inputs))
    grad = tape.gradient(target=result, sources=a.variables)  # kernel and bias gradients
    print(grad)
