"""Recording in the current process: for code that is already running (tests, notebooks)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

from tapetui.record.frames import ScenarioFiles
from tapetui.record.output import CapturedOutput
from tapetui.record.recorder import Recorder, Sink
from tapetui.record.runner import hooked, record_file, start_meta
from tapetui.trace.model import Trace
from tapetui.trace.stream import apply_record, record_line


def trace_sink(trace: Trace) -> Sink:
    """A sink that applies each record to ``trace`` through its JSON form, as the stream does."""

    def sink(key: str, value: Any) -> None:
        apply_record(trace, json.loads(record_line(key, value)))

    return sink


def run_scenario(path: str | Path, seed: int = 0) -> Trace:
    trace = Trace(scenario=str(path), seed=seed)
    output = CapturedOutput(close_stdin=False)
    try:
        record_file(str(path), trace_sink(trace), seed=seed, output=output)
    finally:
        output.restore()
    trace.reindex()
    return trace


@contextmanager
def recording_from(frame: FrameType) -> Iterator[Trace]:
    """Record while the block runs; ``frame``'s file is the scenario."""
    filename = frame.f_code.co_filename
    trace = Trace(scenario=filename)
    sink = trace_sink(trace)
    sink("meta", start_meta(filename, 0))
    output = CapturedOutput(close_stdin=False)
    rec = Recorder(sink, ScenarioFiles(filename))
    status = "raised"
    try:
        with hooked(rec, output):
            yield trace
        status = "finished"
    finally:
        output.restore()
        sink("meta", {"status": status, "exit_code": 0 if status == "finished" else 1})
        trace.reindex()
