"""Run a workload under TensorFlow's own debugger dump (FULL_TENSOR), for comparison."""

import runpy
import sys
import tempfile

import tensorflow as tf

with tempfile.TemporaryDirectory() as dump_dir:
    tf.debugging.experimental.enable_dump_debug_info(
        dump_dir, tensor_debug_mode="FULL_TENSOR", circular_buffer_size=-1
    )
    runpy.run_path(sys.argv[1], run_name="__main__")
    tf.debugging.experimental.disable_dump_debug_info()
