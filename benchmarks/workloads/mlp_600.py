"""A 256-wide two-layer MLP trained for 600 steps: fewer, bigger tensors."""

import os
import time

import numpy as np
import tensorflow as tf

STEPS = int(os.environ.get("TAPETUI_BENCH_STEPS", "600"))

rng = np.random.default_rng(0)
x = tf.constant(rng.standard_normal((64, 32)).astype(np.float32))
y = tf.constant(rng.standard_normal((64, 1)).astype(np.float32))
w1 = tf.Variable(rng.standard_normal((32, 256)).astype(np.float32) * 0.1, name="w1")
b1 = tf.Variable(np.zeros(256, np.float32), name="b1")
w2 = tf.Variable(rng.standard_normal((256, 1)).astype(np.float32) * 0.1, name="w2")
b2 = tf.Variable(np.zeros(1, np.float32), name="b2")
params = [w1, b1, w2, b2]

step_seconds: list[float] = []
step_cpu_seconds: list[float] = []  # this thread only: steadier on a busy machine
start, start_cpu = time.perf_counter(), time.thread_time()
for _step in range(STEPS):
    step, step_cpu = time.perf_counter(), time.thread_time()
    with tf.GradientTape() as tape:
        hidden = tf.nn.relu(tf.matmul(x, w1) + b1)
        pred = tf.matmul(hidden, w2) + b2
        loss = tf.reduce_mean(tf.square(pred - y))
    grads = tape.gradient(loss, params)
    for p, g in zip(params, grads, strict=True):
        p.assign_sub(0.01 * g)
    step_seconds.append(time.perf_counter() - step)
    step_cpu_seconds.append(time.thread_time() - step_cpu)
elapsed, cpu = time.perf_counter() - start, time.thread_time() - start_cpu
print(f"loop_seconds={elapsed:.6f}")
print(f"loop_cpu_seconds={cpu:.6f}")
print("step_seconds=" + ",".join(f"{t:.6f}" for t in step_seconds))
print("step_cpu_seconds=" + ",".join(f"{t:.6f}" for t in step_cpu_seconds))
print(f"final_loss={float(loss):.6f}")
