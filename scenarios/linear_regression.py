"""Train y = W * x + b on 17 points for 100 epochs: gradient, assign_sub, repeat.

From the first tutorial's complete example (without its matplotlib plot). Each epoch opens a
new tape, computes the mean squared error, asks for the gradients of the loss with respect to
W and b, and moves both variables against their gradients.
"""

import numpy as np
import tensorflow as tf

tf.random.set_seed(0)  # the same initial W on every run, so runs can be compared

# 1. The data
# fmt: off
X_raw = np.array([3.3, 4.4, 5.5, 6.71, 6.93, 4.168, 9.779, 6.182, 7.59, 2.167,
                  7.042, 10.791, 5.313, 7.997, 5.654, 9.27, 3.1], dtype=np.float32)
y_raw = np.array([1.7, 2.76, 2.09, 3.19, 1.694, 1.573, 3.366, 2.596, 2.53, 1.221,
                  2.827, 3.465, 1.65, 2.904, 2.42, 2.94, 1.3], dtype=np.float32)
# fmt: on

X = tf.constant(X_raw)
y_true = tf.constant(y_raw)

# 2. The model's parameters (they must be tf.Variables)
W = tf.Variable(tf.random.normal([1]), name="weight")
b = tf.Variable(tf.zeros([1]), name="bias")

learning_rate = 0.01
epochs = 100

# 3. The training loop
for epoch in range(epochs):
    with tf.GradientTape() as tape:
        # forward pass: the predictions
        y_pred = W * X + b
        # the loss (mean squared error)
        loss = tf.reduce_mean(tf.square(y_pred - y_true))

    # gradients of the loss with respect to W and b: tape.gradient(target, [sources])
    gradients = tape.gradient(loss, [W, b])
    dW, db = gradients[0], gradients[1]

    # update the parameters: W = W - learning_rate * dW
    W.assign_sub(learning_rate * dW)
    b.assign_sub(learning_rate * db)

    if (epoch + 1) % 10 == 0:
        print(
            f"Epoch [{epoch + 1}/{epochs}], Loss: {loss.numpy():.4f}, "
            f"W: {W.numpy()[0]:.4f}, b: {b.numpy()[0]:.4f}"
        )

print("\n训练完成!")
print(f"最终模型: y = {W.numpy()[0]:.4f}x + {b.numpy()[0]:.4f}")
