"""A `tf.RaggedTensor` batch (sequences of different lengths): the mean of each row, scaled.

What users report (gradients through ragged ops None or failing): here it arrives.
`loss = scale · (1.5 + 3 + 5)`, so `d loss/d scale = 9.5`; tapetui should show TensorFlow's 9.5.
"""

import tensorflow as tf

scale = tf.Variable(2.0, name="scale")
rows = tf.ragged.constant([[1.0, 2.0], [3.0], [4.0, 5.0, 6.0]])
with tf.GradientTape() as tape:
    loss = tf.reduce_sum(tf.reduce_mean(rows * scale, axis=1))
print(float(loss), float(tape.gradient(loss, scale)))  # 19.0 9.5
