"""`tape.jacobian` and `tape.batch_jacobian`, with `experimental_use_pfor` on and off.

What users compare (reports of jacobians differing or failing with pfor off): both ways give
the same numbers. tapetui should record all four calls with TensorFlow's values — the jacobian
`dy[i,j]/dx[k,l] = 2·x[i,j]·δ + 1`, and `batch_jacobian` `[[4, 2], [2, 6]]` for the first row
(it adds the other row's terms, as TensorFlow does) — and no recorder error.
"""

import tensorflow as tf

x = tf.Variable([[1.0, 2.0], [3.0, 4.0]], name="x")
for pfor in (True, False):
    with tf.GradientTape(persistent=True) as tape:
        y = x * x + tf.reduce_sum(x)
    jacobian = tape.jacobian(y, x, experimental_use_pfor=pfor)
    per_row = tape.batch_jacobian(y, x, experimental_use_pfor=pfor)
    print(pfor, jacobian.numpy()[0, 0].tolist(), per_row.numpy().tolist())
