"""A warning a ``tf.function``'s body gives while it is traced, caught by
``warnings.catch_warnings(record=True)`` around the call (as ``pytest.warns`` catches Keras'
warning about a model's input structure): caught once, as compiled, though the recorder both
traces the body and runs it eagerly. A failed trace's warning is caught once too."""

import warnings

import tensorflow as tf


@tf.function
def halve(x):
    warnings.warn("halving a tensor", UserWarning, stacklevel=1)
    return x / 2.0


@tf.function
def broken(x):
    warnings.warn("about to fail", UserWarning, stacklevel=1)
    return x.numpy()


with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    print("value", float(halve(tf.constant(3.0))))
    try:
        broken(tf.constant(1.0))
    except AttributeError as exc:
        print("raised", type(exc).__name__)
print("caught", [str(w.message) for w in caught])
