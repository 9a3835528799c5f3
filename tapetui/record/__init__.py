"""Recording scenarios into traces; the only package that imports TensorFlow (lazily).

Importing this package does not import TensorFlow: ``record``/``check_scenario`` run the scenario
in a child process, and ``run_scenario``/``recording`` load the hooks only when called.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tapetui.record.process import ScenarioError, check_scenario, record
from tapetui.trace.model import Trace

__all__ = ["ScenarioError", "check_scenario", "record", "recording", "run_scenario"]


def run_scenario(path: str | Path, seed: int = 0) -> Trace:
    """Record ``path`` in this process (TensorFlow is imported here) and return its trace."""
    from tapetui.record.inprocess import run_scenario as run

    return run(path, seed)


@contextmanager
def recording() -> Iterator[Trace]:
    """Record what the ``with`` block runs; the yielded trace fills while it runs.

    The caller's file (and files in its folder) count as the scenario's own code.
    """
    import sys

    from tapetui.record.inprocess import recording_from

    with recording_from(sys._getframe(2)) as trace:
        yield trace
