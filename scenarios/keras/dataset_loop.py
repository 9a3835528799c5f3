"""A `tf.data.Dataset` loop feeding a `@tf.function` training step: 2 epochs of 3 batches.

The dataset's `map` (scaling the inputs) always runs as a graph inside tf.data, with or without
tapetui: its ops are not recorded one by one, but the batches it yields are, and so is every op
of the training step that uses them.
"""

import tensorflow as tf

features = tf.reshape(tf.range(12, dtype=tf.float32), (12, 1))
labels = 3.0 * features + 2.0
dataset = (
    tf.data.Dataset.from_tensor_slices((features, labels))
    .map(lambda x, y: (x / 10.0, y / 10.0))  # scaled inside tf.data, as a graph
    .batch(4)
)

w = tf.Variable([[0.0]], name="w")
b = tf.Variable([0.0], name="b")
opt = tf.keras.optimizers.SGD(learning_rate=0.1)


@tf.function
def train_step(x, y):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(tf.matmul(x, w) + b - y))
    grads = tape.gradient(loss, [w, b])
    opt.apply_gradients(zip(grads, [w, b]))
    return loss


for epoch in range(2):
    for x, y in dataset:
        loss = train_step(x, y)
    print(f"epoch {epoch}: loss {float(loss):.6f} w {float(w[0, 0]):.6f} b {float(b[0]):.6f}")
