"""``tf.print`` run eagerly writes from TensorFlow's kernel to the process's own stdout or stderr,
past Python's streams, where the output capture never sees it: the hook reports the very text
the kernel writes, so it is the scenario's output in the trace as it is on a terminal."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tensorflow.python.ops import gen_logging_ops

from tapetui.record.tf_hooks import EagerTensor
from tapetui.record.tf_objects import value_of

Report = Callable[[str, str], None]
"""``report(stream, text)``: ``stream`` is ``stdout`` or ``stderr``."""

_STREAMS = {"stdout": "stdout", "stderr": "stderr", b"stdout": "stdout", b"stderr": "stderr"}
"""The ``output_stream`` of a ``PrintV2`` op that goes to a standard stream (not a log, not a
file)."""


def report_prints(report: Report) -> Callable[[], None]:
    """Report each eager ``tf.print`` to ``report`` until the function returned is called."""
    original = gen_logging_ops.print_v2

    def print_v2(input: Any, *args: Any, **kwargs: Any) -> Any:  # TensorFlow's signature
        done = original(input, *args, **kwargs)
        text = _printed(input, *args, **kwargs)
        if text is not None:
            report(*text)
        return done

    gen_logging_ops.print_v2 = print_v2

    def restore() -> None:
        gen_logging_ops.print_v2 = original

    return restore


def _printed(
    input: Any,
    output_stream: Any = "stderr",
    end: Any = "\n",
    name: Any = None,
) -> tuple[str, str] | None:
    """``(stream, text)`` the kernel wrote for an eager op; ``None`` for a graph's (it prints
    when the graph runs) or for a log or a file."""
    stream = _STREAMS.get(output_stream)
    if stream is None or type(input) is not EagerTensor:
        return None
    value = value_of(input)
    if not isinstance(value, bytes):
        return None
    tail = end.decode("utf-8", "replace") if isinstance(end, bytes) else str(end)
    return stream, value.decode("utf-8", "replace") + tail
