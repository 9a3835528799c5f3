"""A derivative taken with a `GradientTape` inside `tf.py_function`, in a tf.data pipeline.

What the user wanted: each example's slope of a feature function, made in the input pipeline.
The map function is traced as a graph, so the tape is put in a `tf.py_function`, whose Python
function TensorFlow runs eagerly: here once called directly, then for every element, from
tf.data's own threads. The tape is the scenario's code each time, run by TensorFlow.
"""

import tensorflow as tf


def slope(t):
    with tf.GradientTape() as inner:
        inner.watch(t)
        feature = tf.sin(t) * t
    return inner.gradient(feature, t)  # sin(t) + t·cos(t)


x = tf.constant([0.5, 2.0])
print(tf.py_function(slope, [x], tf.float32).numpy())
slopes = tf.data.Dataset.from_tensor_slices(x).map(lambda t: tf.py_function(slope, [t], tf.float32))
print([round(float(s), 5) for s in slopes])
