"""Run a workload plainly with ``tf.function``s run eagerly, as tapetui's recorder runs them."""

import runpy
import sys

import tensorflow as tf

tf.config.run_functions_eagerly(True)
runpy.run_path(sys.argv[1], run_name="__main__")
