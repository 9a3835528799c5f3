"""What the user asked to run: a script with its arguments, a module (``-m``), or a notebook.

Pure Python, no TensorFlow: the CLI and the UI read notebooks and resolve modules with it, and
the recording child runs them with it.
"""
