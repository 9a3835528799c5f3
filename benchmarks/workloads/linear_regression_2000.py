"""The seed's linear regression, scaled to 2,000 epochs: many small ops and many tapes."""

import os
import time

import numpy as np
import tensorflow as tf

EPOCHS = int(os.environ.get("TAPETUI_BENCH_EPOCHS", "2000"))

X = tf.constant(
    np.array(
        [
            3.3,
            4.4,
            5.5,
            6.71,
            6.93,
            4.168,
            9.779,
            6.182,
            7.59,
            2.167,
            7.042,
            10.791,
            5.313,
            7.997,
            5.654,
            9.27,
            3.1,
        ],
        dtype=np.float32,
    )
)
y_true = tf.constant(
    np.array(
        [
            1.7,
            2.76,
            2.09,
            3.19,
            1.694,
            1.573,
            3.366,
            2.596,
            2.53,
            1.221,
            2.827,
            3.465,
            1.65,
            2.904,
            2.42,
            2.94,
            1.3,
        ],
        dtype=np.float32,
    )
)
W = tf.Variable(tf.random.normal([1]), name="weight")
b = tf.Variable(tf.zeros([1]), name="bias")

step_seconds: list[float] = []
step_cpu_seconds: list[float] = []  # this thread only: steadier on a busy machine
start, start_cpu = time.perf_counter(), time.thread_time()
for _epoch in range(EPOCHS):
    step, step_cpu = time.perf_counter(), time.thread_time()
    with tf.GradientTape() as tape:
        y_pred = W * X + b
        loss = tf.reduce_mean(tf.square(y_pred - y_true))
    dW, db = tape.gradient(loss, [W, b])
    W.assign_sub(0.01 * dW)
    b.assign_sub(0.01 * db)
    step_seconds.append(time.perf_counter() - step)
    step_cpu_seconds.append(time.thread_time() - step_cpu)
elapsed, cpu = time.perf_counter() - start, time.thread_time() - start_cpu
print(f"loop_seconds={elapsed:.6f}")
print(f"loop_cpu_seconds={cpu:.6f}")
print("step_seconds=" + ",".join(f"{t:.6f}" for t in step_seconds))
print("step_cpu_seconds=" + ",".join(f"{t:.6f}" for t in step_cpu_seconds))
print(f"final_loss={float(loss):.6f}")
