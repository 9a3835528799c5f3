"""A GAN generator step whose discriminator input goes through `.numpy()` and NumPy moments.

What the user saw: `tape.gradient` returned None for the generator's loss; the discriminator was
fed `get_moments(g_fake_data.numpy().T)`, computed in NumPy.
Report: https://github.com/tensorflow/tensorflow/issues/31919
"""

import keras
import numpy as np
import tensorflow as tf


def get_moments(d):
    mean = np.mean(d)
    diffs = d - mean
    var = np.mean(np.power(diffs, 2.0))
    return np.array([mean, var], dtype=np.float32)


keras.utils.set_random_seed(0)
generator = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(1, name="gen")])
discriminator = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1, name="disc")])
gen_input = np.random.random(size=(16, 1)).astype("float32")
with tf.GradientTape() as tape:
    g_fake_data = generator(gen_input)
    decision = discriminator(get_moments(g_fake_data.numpy().T).reshape((1, 2)))
    g_error = tf.reduce_mean(tf.square(decision - 1.0))
print(tape.gradient(g_error, generator.trainable_variables))  # [None, None]
