"""A GAN step asks the discriminator's tape for the generator's gradients.

What the user saw (questions on the DCGAN tutorial's two tapes): the generator's gradients were
all `None`; `gen_loss` was recorded by `gen_tape`, and `disc_tape.gradient(gen_loss, ...)` asks
a tape that never saw it.
"""

import keras
import tensorflow as tf

keras.utils.set_random_seed(0)
generator = keras.Sequential([keras.Input((2,)), keras.layers.Dense(3, name="gen")])
discriminator = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1, name="disc")])
noise = tf.random.normal((4, 2))
real = tf.random.normal((4, 3))
with tf.GradientTape() as gen_tape:
    fake = generator(noise)
    gen_loss = -tf.reduce_mean(discriminator(fake))
with tf.GradientTape() as disc_tape:
    disc_loss = tf.reduce_mean(discriminator(fake)) - tf.reduce_mean(discriminator(real))
gen_grads = disc_tape.gradient(gen_loss, generator.trainable_variables)  # the wrong tape
print(gen_grads)  # [None, None]
