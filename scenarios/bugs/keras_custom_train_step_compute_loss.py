"""A Keras 3 model overriding `train_step`, with the loss from `self.compute_loss`.

What users write (the Keras guide's "customizing what happens in fit", and reports of None
gradients from it): here the gradients arrive. tapetui should record the step's tape inside
`fit` with TensorFlow's values — kernel `[[23.0], [32.0]]`, bias `[9.0]` — named by the layer.
"""

import numpy as np
import tensorflow as tf
import keras


class Model(keras.Model):
    def train_step(self, data):
        x, y = data
        with tf.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compute_loss(x=x, y=y, y_pred=y_pred)
        grads = tape.gradient(loss, self.trainable_variables)
        print("grads", [g.numpy().tolist() for g in grads])
        self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
        return {"loss": loss}


inputs = keras.Input((2,))
outputs = keras.layers.Dense(1, name="out", kernel_initializer="ones")(inputs)
model = Model(inputs, outputs)
model.compile(optimizer="sgd", loss="mse", run_eagerly=True)
x = np.array([[1.0, 2.0], [3.0, 4.0]], dtype="float32")
y = np.array([[1.0], [0.0]], dtype="float32")
model.fit(x, y, epochs=1, batch_size=2, verbose=0)
