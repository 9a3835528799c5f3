"""After 20 warm-up steps the embedding is frozen with ``tf.stop_gradient``; from then on its
gradient is None.

Cause, with the default recording budget: not_recorded_in_detail. Only the first 10 tapes are
recorded in full detail and the first None comes at step 20, so there is no recorded dataflow to
explain it with. ``tapetui report --budget-tapes 0`` records every step and gives stop_gradient.
"""

import tensorflow as tf

embedding = tf.Variable([0.3, -0.2])
head = tf.Variable([1.5, 0.5])
x = tf.constant([1.0, 2.0])
WARMUP = 20

for step in range(30):
    with tf.GradientTape() as tape:
        features = embedding * x
        if step >= WARMUP:
            features = tf.stop_gradient(features)
        loss = tf.reduce_sum(features * head) ** 2
    d_embedding, d_head = tape.gradient(loss, [embedding, head])
    head.assign_sub(0.01 * d_head)
    if d_embedding is not None:
        embedding.assign_sub(0.01 * d_embedding)
    elif step == WARMUP:
        print(f"step {step}: no gradient for the embedding")
