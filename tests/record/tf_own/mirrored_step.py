"""A tf.function train step run on two replicas by MirroredStrategy: each replica's tape and
gradient call runs in a thread of its own, which the step's trace starts and waits for. Then one
plain Python function run eagerly by the strategy: TensorFlow warns that this is slow (the
compiled step never says so)."""

import tensorflow as tf

cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(
    cpu, [tf.config.LogicalDeviceConfiguration(), tf.config.LogicalDeviceConfiguration()]
)
strategy = tf.distribute.MirroredStrategy(["CPU:0", "CPU:1"])
with strategy.scope():
    w = tf.Variable(2.0)


@tf.function
def step(x):
    def replica(x):
        with tf.GradientTape() as tape:
            loss = w * w * x
        return tape.gradient(loss, w)

    grads = strategy.run(replica, args=(x,))
    return strategy.reduce(tf.distribute.ReduceOp.SUM, grads, axis=None)


for n in (1.0, 3.0):
    print("grad", float(step(tf.constant(n))))

doubled = strategy.run(lambda: w * 2.0)
print("eager", float(strategy.reduce(tf.distribute.ReduceOp.SUM, doubled, axis=None)))
