"""A meta-learning step updates a variable with `assign_add` inside the tape, then uses it.

What the user saw: the gradient with respect to `x` was None; "TF doesn't track assignments to
tf.Variables to their source operations, because state in variables is stored outside the graph".
Report: https://github.com/tensorflow/tensorflow/issues/30234
"""

import tensorflow as tf

v = tf.Variable(1.0)
x = tf.convert_to_tensor(2.0)
with tf.GradientTape() as t:
    t.watch(x)
    v.assign_add(x)
    loss = v * v
print(t.gradient(loss, x))  # None
