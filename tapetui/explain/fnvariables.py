"""A ``tf.function`` that creates a ``tf.Variable`` at every call: TensorFlow allows it on the
first call only, and raises ``ValueError`` at the next.

Found from the recorded run: the scenario raised ``ValueError`` from a ``tf.function`` at a line
that had already made a variable (its ``VariableCreatedEvent``), so that line makes one each
time the function runs.
"""

from __future__ import annotations

from tapetui.explain.causes import Cause, Evidence
from tapetui.explain.context import at
from tapetui.trace.events import VariableCreatedEvent
from tapetui.trace.model import Trace


def variable_in_function_cause(trace: Trace) -> Cause | None:
    """``variable_in_function`` for that error, else ``None``."""
    error = trace.error
    if error is None or error.type != "ValueError" or "tf.function" not in error.message:
        return None
    made = next(
        (
            e
            for e in trace.events
            if isinstance(e, VariableCreatedEvent) and (e.file, e.line) == (error.file, error.line)
        ),
        None,
    )
    if made is None:
        return None
    variable = trace.variables.get(made.variable)
    name = f" `{variable.name}`" if variable is not None and variable.name else ""
    line = at(error.line, error.file)
    sentence = (
        f"{line[0].upper()}{line[1:]} creates a `tf.Variable` each time it runs: it made{name} in the "
        "first call of the `tf.function`, and made another in the next call, which TensorFlow "
        f"refuses (a `tf.function` may create variables on its first call only), so it raised "
        f"ValueError at {line}."
    )
    fix = (
        "Create the variable once, outside the function (or in a layer's `build()`, or guarded "
        "by `if self.w is None:`), and only use it inside the function."
    )
    evidence = [
        Evidence(made.file, made.line, "a variable made in the first call", made.seq),
        Evidence(error.file, error.line, "ValueError: made again in a later call", None),
    ]
    return Cause("variable_in_function", sentence, fix, evidence)
