"""Tapes TensorFlow made itself, or made in or for a ``tf.py_function``, in the words the report
and the debugger show.

TensorFlow runs a ``tf.py_function``'s Python function eagerly, whoever calls it: the scenario
on its line, a tf.function, or a tf.data pipeline's function from a thread of its own. Two kinds
of tape come of it, and the recorder says which each is (the trace's ``tape_origins`` meta,
noted from the Python stack when the tape was made):

- ``differentiates``: TensorFlow's own. While any tape records, ``tf.py_function`` runs the
  function under a tape it makes itself, to differentiate the function later; the scenario
  never wrote that tape, though it is made on the scenario's line of the call.
- ``inside``: a tape the function itself made, the scenario's code, on the function's line, run
  by the py_function: eagerly from a scenario line, or from a graph TensorFlow ran.

A third kind has nothing to do with py_function: ``tensorflow``, a tape TensorFlow made for its
own gradient work (``tf.recompute_grad`` recomputing its block in the backward pass,
``tf.autodiff.ForwardAccumulator``), on the scenario's line that led to it.
"""

from __future__ import annotations

from dataclasses import dataclass

from tapetui.trace.model import Trace

TAPE_ORIGINS = "tape_origins"
"""The trace's meta entry (``tapetui.record.tapes``)."""
ROLES = ("differentiates", "inside", "tensorflow")


@dataclass(frozen=True)
class PyFunctionTape:
    """What one tape is to a ``tf.py_function``."""

    role: str
    """``differentiates`` (py_function's own), ``inside`` (the function made it) or
    ``tensorflow`` (TensorFlow made it for its own gradient work)."""
    function: str | None
    """The Python function's name, when it has one (``tensorflow``: TensorFlow's function that
    made the tape)."""
    file: str | None
    line: int | None
    """The scenario line the py_function ran from, when one was running it."""
    eager: bool
    """Whether the py_function ran where that line called it, not from a graph."""


def py_function_tape(trace: Trace, tape: int) -> PyFunctionTape | None:
    """What ``tape`` is to a ``tf.py_function``, or ``None`` when it is not one's (a trace is
    input: an entry of another shape is no entry)."""
    noted = trace.meta.get(TAPE_ORIGINS)
    entry = noted.get(str(tape)) if isinstance(noted, dict) else None
    if not isinstance(entry, dict) or entry.get("role") not in ROLES:
        return None
    function, file, line = entry.get("function"), entry.get("file"), entry.get("line")
    return PyFunctionTape(
        str(entry["role"]),
        function if isinstance(function, str) and function else None,
        file if isinstance(file, str) else None,
        line if isinstance(line, int) and not isinstance(line, bool) else None,
        entry.get("eager") is True,
    )


def py_function_tape_words(trace: Trace, tape: int) -> str | None:
    """How the tape came to be, for its line in a listing of tapes: ``TensorFlow's own:
    tf.py_function made it to differentiate `f```, or ``in `f`, run eagerly by tf.py_function at
    line 16``; ``None`` for a tape no py_function had a part in."""
    found = py_function_tape(trace, tape)
    if found is None:
        return None
    function = (
        f"`{found.function}`"
        if found.function is not None and found.function.isidentifier()
        else "the Python function"
    )
    if found.role == "differentiates":
        return f"TensorFlow's own: tf.py_function made it to differentiate {function}"
    if found.role == "tensorflow":
        return f"TensorFlow's own: made by TensorFlow's {function} for its own gradient work"
    where = trace.line_words(found.line, found.file) if found.line is not None else None
    if where is not None and found.eager:
        return f"in {function}, run eagerly by tf.py_function at {where}"
    graph = "from a graph (a tf.data pipeline's or a compiled tf.function's)"
    during = f" during {where}" if where is not None else ""
    return f"in {function}, run by tf.py_function {graph}{during}"


def py_function_tape_short(trace: Trace, tape: int) -> str | None:
    """A few words after a tape's name: ``tf.py_function's own`` or ``in tf.py_function``."""
    found = py_function_tape(trace, tape)
    if found is None:
        return None
    if found.role == "tensorflow":
        return "TensorFlow's own"
    return "tf.py_function's own" if found.role == "differentiates" else "in tf.py_function"
