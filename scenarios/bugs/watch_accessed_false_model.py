"""A tape with `watch_accessed_variables=False` watching only the input: the weights get `None`.

What the user saw (the answer in TensorFlow issue 38751 turned automatic watching off to keep a
pretrained encoder out of the tape); reusing that tape for the trainable head gave `None` for
every weight, since only the input was watched.
"""

import keras
import numpy as np
import tensorflow as tf

keras.utils.set_random_seed(0)
head = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1, name="head")])
x = tf.constant(np.random.random((4, 3)).astype("float32"))
with tf.GradientTape(watch_accessed_variables=False) as tape:
    tape.watch(x)
    loss = tf.reduce_mean(tf.square(head(x)))
print(tape.gradient(loss, head.trainable_variables))  # [None, None]
