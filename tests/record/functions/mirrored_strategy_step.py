"""A `tf.function` step that runs its replica function with `MirroredStrategy.run` (each replica
in a thread of its own, also while the step is traced), whose loss thresholds the prediction:
the optimizer finds no gradient."""

import numpy as np
import tensorflow as tf

strategy = tf.distribute.MirroredStrategy()
with strategy.scope():
    model = tf.keras.Sequential(
        [tf.keras.Input((3,)), tf.keras.layers.Dense(2), tf.keras.layers.Dense(1)]
    )
    opt = tf.keras.optimizers.SGD(0.1)

ds = tf.data.Dataset.from_tensor_slices(
    (np.ones((8, 3), "float32"), np.ones((8, 1), "float32"))
).batch(4)
dist = strategy.experimental_distribute_dataset(ds)


@tf.function
def step(batch):
    def replica(x, y):
        with tf.GradientTape() as tape:
            pred = model(x)
            loss = tf.reduce_mean(tf.cast(pred > 0.5, tf.float32) - y)
        g = tape.gradient(loss, model.trainable_variables)
        opt.apply_gradients(zip(g, model.trainable_variables, strict=True))
        return loss

    return strategy.run(replica, args=batch)


for b in dist:
    print(step(b))
