"""The public API for notebooks and tests: record, then ask the trace what ``tapetui report``
would say, which gradients are ``None`` and why, or save it for the debugger.

``RecordedTrace`` is a :class:`tapetui.trace.Trace` (every field, every function that takes a
trace) with the questions a notebook user asks as methods, so ``trace.`` completes to them. It
lives above ``trace/``, ``explain/`` and ``report/``: the data model itself knows none of them.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields
from pathlib import Path

from tapetui.explain.missing import MissingGradient, missing_gradients, why_text
from tapetui.trace import Trace
from tapetui.trace import load as load_trace
from tapetui.trace import save as save_trace
from tapetui.trace.display import DisplayText

__all__ = ["MissingGradient", "RecordedTrace", "load", "record_scenario", "recording"]


@dataclass(eq=False)
class RecordedTrace(Trace):
    """A recorded trace, with the report, the missing gradients and their causes one call away.

    ``tapetui.load("tests/ui/traces/none_cases.json").missing_gradients()`` lists one
    ``MissingGradient``: ``name`` ``dy1/dx``, ``cause`` ``outside_tape``, ``line`` 17.
    """

    def report(self) -> DisplayText:
        """The plain-text report, as ``tapetui report`` prints it: every tape and gradient call,
        each result, and each ``None`` with its cause, fix and evidence lines."""
        from tapetui.report import render_text

        return DisplayText(render_text(self))

    def missing_gradients(self) -> list[MissingGradient]:
        """Every gradient that came out ``None`` (or zeros only because the call asked for
        ``unconnected_gradients=ZERO``), in the order asked, each with its cause code and
        sentence; empty when every gradient arrived (``assert not trace.missing_gradients()``)."""
        return missing_gradients(self)

    def explain(self) -> DisplayText:
        """Why each gradient is ``None``: cause, sentence, fix and the evidence lines quoted
        from the scenario (the same as ``tapetui.explain(trace)``)."""
        return why_text(self)

    def save(self, path: str | Path) -> None:
        """Write the trace as JSON, for ``tapetui TRACE.json`` (the debugger, which never
        executes it), ``tapetui report TRACE.json`` or ``tapetui.load``."""
        save_trace(self, path)

    @classmethod
    def of(cls, trace: Trace) -> RecordedTrace:
        """``trace`` with these methods (its data shared, not copied)."""
        if isinstance(trace, cls):
            return trace
        made = cls(**{f.name: getattr(trace, f.name) for f in fields(Trace) if f.init})
        made.reindex()
        return made


def load(path: str | Path) -> RecordedTrace:
    """Read a trace file that ``trace.save`` or ``tapetui record`` wrote (never executes code;
    a bad file raises :class:`tapetui.trace.TraceFormatError` saying why)."""
    return RecordedTrace.of(load_trace(path))


def record_scenario(
    scenario: str | Path, *, seed: int = 0, timeout: float | None = None
) -> RecordedTrace:
    """Record a scenario file in a child process, as ``tapetui record`` does: TensorFlow is
    imported there, not here, and nothing the scenario does can reach the caller (a bad path
    raises :class:`tapetui.record.ScenarioError`)."""
    from tapetui.record import check_scenario
    from tapetui.record import record as record_in_child

    check_scenario(str(scenario))
    return RecordedTrace.of(record_in_child(scenario, seed=seed, timeout=timeout))


@contextmanager
def recording() -> Iterator[RecordedTrace]:
    """Record what the ``with`` block runs, in this process (TensorFlow is imported here).

    The yielded trace fills while the block runs and is complete when it ends (also when it
    raises: the error is recorded, then raised again). The calling file, and the files in its
    folder, count as the scenario's own code; in Jupyter, that is the cell.
    """
    from tapetui.record.inprocess import recording_from

    trace = RecordedTrace(scenario="")
    with recording_from(sys._getframe(2), trace):
        yield trace
