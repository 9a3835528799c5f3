"""tapetui: a terminal step-debugger for TensorFlow's tf.GradientTape."""

__version__ = "0.1.0"
