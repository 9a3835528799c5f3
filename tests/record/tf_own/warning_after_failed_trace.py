"""A function whose trace fails (a symbolic tensor has no Python value) after a warning only
its eager run would reach: the warning is shown where the scenario itself first meets it, once,
as without tapetui (the recorder's eager run of the failed call shows nothing)."""

import warnings

import tensorflow as tf

warnings.simplefilter("default")


def noisy():
    warnings.warn("noisy was called", UserWarning, stacklevel=1)


@tf.function
def step(x):
    y = x * 2.0
    value = y.numpy()  # eager: a number; traced: an error
    noisy()
    return value


try:
    step(tf.constant(1.0))
except Exception as exc:
    print("raised", type(exc).__name__)
noisy()
print("done")
