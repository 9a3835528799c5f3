"""A Keras model's `predict` inside the tape: it returns NumPy, and the tape sees nothing.

What the user saw (TensorFlow issue 38751): an encoder called `model.predict(images)` inside a
`GradientTape`; the gradient with respect to the input image was `None`. Calling the model,
`model(images)`, keeps the computation in TensorFlow.
"""

import keras
import numpy as np
import tensorflow as tf

keras.utils.set_random_seed(0)
encoder = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, name="code")])
image = tf.Variable(np.random.random((1, 4)).astype("float32"), name="image")
with tf.GradientTape() as tape:
    features = encoder.predict(image, verbose=0)  # NumPy out
    loss = tf.reduce_sum(tf.square(features))
print(tape.gradient(loss, image))  # None
