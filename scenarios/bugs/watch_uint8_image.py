"""An adversarial-example loop watches the raw uint8 image, then casts it to float.

What the user saw (FGSM questions): `tape.gradient(loss, image)` was `None`; `tape.watch` ignores
an integer tensor, and the float image the model saw is a new tensor made after the watch.
"""

import keras
import numpy as np
import tensorflow as tf

keras.utils.set_random_seed(0)
model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, name="clf")])
image = tf.constant(np.random.randint(0, 255, size=(1, 4)), dtype=tf.uint8)
label = tf.constant([1])
with tf.GradientTape() as tape:
    tape.watch(image)
    pixels = tf.cast(image, tf.float32) / 255.0
    logits = model(pixels)
    loss = keras.losses.sparse_categorical_crossentropy(label, logits, from_logits=True)
print(tape.gradient(loss, image))  # None
