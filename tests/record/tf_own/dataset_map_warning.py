"""A tf.data map traced while every warning is shown (unittest's runner shows them all): no
warning about ``run_functions_eagerly``, which the scenario never set, and the same filters."""

import warnings

import tensorflow as tf

print("filters", sum(1 for f in warnings.filters if f[1] is not None))
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    doubled = tf.data.Dataset.range(3).map(lambda x: x * 2)
print("values", [int(v) for v in doubled])
print("warnings", [str(w.message)[:40] for w in caught])
