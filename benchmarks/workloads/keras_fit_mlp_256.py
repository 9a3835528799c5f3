"""A Keras `Sequential` MLP trained with `model.fit`: 2 epochs of 128 steps (`steps_per_epoch`)."""

import os
import time

import keras
import numpy as np

STEPS = int(os.environ.get("TAPETUI_BENCH_STEPS", "256"))
EPOCHS = 2

rng = np.random.default_rng(0)
x = rng.standard_normal((STEPS * 16, 32)).astype(np.float32)
y = rng.standard_normal((STEPS * 16, 1)).astype(np.float32)
keras.utils.set_random_seed(0)
model = keras.Sequential(
    [keras.Input((32,)), keras.layers.Dense(256, activation="relu"), keras.layers.Dense(1)]
)
model.compile(optimizer=keras.optimizers.SGD(0.01), loss="mse")


class StepTimes(keras.callbacks.Callback):
    """Each training step's wall and main-thread CPU time, from its start to its end."""

    def __init__(self) -> None:
        super().__init__()
        self.seconds: list[float] = []
        self.cpu_seconds: list[float] = []

    def on_train_batch_begin(self, batch: int, logs: object = None) -> None:
        self.started = time.perf_counter(), time.thread_time()

    def on_train_batch_end(self, batch: int, logs: object = None) -> None:
        self.seconds.append(time.perf_counter() - self.started[0])
        self.cpu_seconds.append(time.thread_time() - self.started[1])


times = StepTimes()
history = model.fit(
    x,
    y,
    batch_size=16,
    epochs=EPOCHS,
    steps_per_epoch=STEPS // EPOCHS,
    callbacks=[times],
    verbose=0,
)
print("step_seconds=" + ",".join(f"{t:.6f}" for t in times.seconds))
print("step_cpu_seconds=" + ",".join(f"{t:.6f}" for t in times.cpu_seconds))
print(f"final_loss={history.history['loss'][-1]:.6f}")
