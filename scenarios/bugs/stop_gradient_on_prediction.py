"""A DQN-style loss wraps the online network's prediction in `tf.stop_gradient`, not the target.

What the user saw (questions on `tf.stop_gradient` in DQN code, e.g. in openai/baselines):
every gradient of the online network was `None`; `tf.stop_gradient` belongs around the target
Q-values only.
"""

import keras
import numpy as np
import tensorflow as tf

keras.utils.set_random_seed(0)
online = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, name="online")])
target_net = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, name="target")])
states = np.random.random((5, 4)).astype("float32")
rewards = tf.constant([1.0, 0.0, 1.0, 0.5, 0.0])
with tf.GradientTape() as tape:
    q = tf.stop_gradient(tf.reduce_max(online(states), axis=1))  # should be the target's
    target_q = rewards + 0.9 * tf.reduce_max(target_net(states), axis=1)
    loss = tf.reduce_mean(tf.square(target_q - q))
print(tape.gradient(loss, online.trainable_variables))  # [None, None]
