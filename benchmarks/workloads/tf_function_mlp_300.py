"""A 256-wide two-layer MLP trained by a `@tf.function` step with a Keras optimizer, 300 steps."""

import os
import time

import keras
import numpy as np
import tensorflow as tf

STEPS = int(os.environ.get("TAPETUI_BENCH_STEPS", "300"))

rng = np.random.default_rng(0)
x = tf.constant(rng.standard_normal((64, 32)).astype(np.float32))
y = tf.constant(rng.standard_normal((64, 1)).astype(np.float32))
w1 = tf.Variable(rng.standard_normal((32, 256)).astype(np.float32) * 0.1, name="w1")
b1 = tf.Variable(np.zeros(256, np.float32), name="b1")
w2 = tf.Variable(rng.standard_normal((256, 1)).astype(np.float32) * 0.1, name="w2")
b2 = tf.Variable(np.zeros(1, np.float32), name="b2")
params = [w1, b1, w2, b2]
opt = keras.optimizers.SGD(learning_rate=0.01)


@tf.function
def train_step(x, y):
    with tf.GradientTape() as tape:
        hidden = tf.nn.relu(tf.matmul(x, w1) + b1)
        pred = tf.matmul(hidden, w2) + b2
        loss = tf.reduce_mean(tf.square(pred - y))
    grads = tape.gradient(loss, params)
    opt.apply_gradients(zip(grads, params, strict=True))
    return loss


step_seconds: list[float] = []
step_cpu_seconds: list[float] = []  # this thread only: steadier on a busy machine
for _step in range(STEPS):
    step, step_cpu = time.perf_counter(), time.thread_time()
    loss = train_step(x, y)
    step_seconds.append(time.perf_counter() - step)
    step_cpu_seconds.append(time.thread_time() - step_cpu)
print("step_seconds=" + ",".join(f"{t:.6f}" for t in step_seconds))
print("step_cpu_seconds=" + ",".join(f"{t:.6f}" for t in step_cpu_seconds))
print(f"final_loss={float(loss):.6f}")
