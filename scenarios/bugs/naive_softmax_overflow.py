"""A softmax written by hand, `exp(z) / sum(exp(z))`: large logits overflow to inf, then NaN.

What the user saw (a frequent report of a hand-written softmax cross-entropy): the loss became
`nan` once the logits grew past about 88, where `exp` overflows float32; `tf.nn.softmax` or
subtracting the maximum first avoids it.
"""

import tensorflow as tf

w = tf.Variable([[30.0, -2.0, 1.0]], name="w")
x = tf.constant([[4.0]])
labels = tf.constant([[1.0, 0.0, 0.0]])
with tf.GradientTape() as tape:
    logits = x @ w  # 120, -8, 4
    exps = tf.exp(logits)
    probs = exps / tf.reduce_sum(exps, axis=1, keepdims=True)
    loss = -tf.reduce_sum(labels * tf.math.log(probs))
print(loss, tape.gradient(loss, w))  # nan
