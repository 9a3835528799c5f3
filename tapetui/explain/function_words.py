"""How a ``tf.function`` ran, in the words both the report and the debugger use.

By default the scenario's ``tf.function``s are run eagerly, op by op, so their ops are seen; some
functions still run compiled, each call one op, because TensorFlow itself runs them as graphs by
design (pfor's loop function under ``tf.vectorized_map`` or ``jacobian(experimental_use_pfor=…)``,
tf.data's ``map`` functions). That is TensorFlow's doing, not the scenario's.
"""

from __future__ import annotations


def run_by_tensorflow(one: bool = False) -> str:
    """``as TensorFlow itself runs them: pfor, tf.data …`` (``one``: of a single function)."""
    return f"as TensorFlow itself runs {'it' if one else 'them'}: pfor, tf.data …"
