"""Recording in the current process: for code that is already running (tests, notebooks)."""

from __future__ import annotations

import json
import linecache
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

from tapetui.record.frames import ScenarioFiles
from tapetui.record.output import CapturedOutput
from tapetui.record.process import read_source
from tapetui.record.recorder import Recorder, Sink
from tapetui.record.runner import _error_info as error_info
from tapetui.record.runner import hooked, record_file, start_meta
from tapetui.trace.events import ErrorEvent
from tapetui.trace.model import ErrorInfo, Trace
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
def recording_from(frame: FrameType, trace: Trace | None = None) -> Iterator[Trace]:
    """Record while the block runs into ``trace`` (a new one by default); ``frame``'s file is
    the scenario. The trace holds what a recording child's does: the scenario's source, the
    recorder's notes (its own errors included), and the error the block raised."""
    filename = frame.f_code.co_filename
    if trace is None:
        trace = Trace(scenario=filename)
    trace.scenario = filename
    sink = trace_sink(trace)
    sink("meta", start_meta(filename, 0))
    files = ScenarioFiles(filename)
    text = read_source(filename) if os.path.isfile(filename) else _cell_source(filename)
    if text:
        sink("source", {"file": filename, "text": text})
    output = CapturedOutput(close_stdin=False)
    rec = Recorder(sink, files)
    final: dict[str, Any] = {"status": "raised", "exit_code": 1}
    try:
        with hooked(rec, output):
            try:
                yield trace
            except BaseException as exc:
                final["error"] = _note_error(rec, files, exc)
                raise
        final = {"status": "finished", "exit_code": 0}
    finally:
        output.restore()
        sink("meta", {**final, "meta": rec.final_notes()})
        trace.reindex()


def _cell_source(filename: str) -> str:
    """The source of code that is in no file: a Jupyter or IPython cell, which IPython keeps in
    ``linecache`` under the cell's name."""
    return "".join(linecache.getlines(filename))


def _note_error(rec: Recorder, files: ScenarioFiles, exc: BaseException) -> ErrorInfo:
    """The block's exception, recorded as the child records the scenario's."""
    error = error_info(files, exc)
    with rec.guard():
        rec.event(ErrorEvent, (error.file, error.line), type=error.type, message=error.message)
    return error
