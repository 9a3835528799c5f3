"""With ``watch_accessed_variables=False``, watching an unbuilt layer's variables watches nothing.

Cause: watch_accessed_off. ``a.variables`` is an empty list until the layer is first called.
"""

import numpy as np
import tensorflow as tf

inputs = np.random.random(size=(2, 4))
a = tf.keras.layers.Dense(3)
b = tf.keras.layers.Dense(2)

with tf.GradientTape(watch_accessed_variables=False) as tape:
    tape.watch(a.variables)
    result = b(a(inputs))

grad = tape.gradient(result, a.variables)
print(grad)
