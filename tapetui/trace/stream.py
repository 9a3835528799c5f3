"""The record stream: one JSON object per line, written by the recorder as things happen.

A scenario that dies still leaves a readable partial trace. Each record carries one key naming
what it updates (``meta``, ``source``, ``notebook``: a cell map, ``tensor``, ``variable``,
``tape``, ``call``, ``event``, or ``steps``: the summarised part's compact rows,
``tapetui.trace.steps``); a later record for the same id replaces the earlier one.
"""

from __future__ import annotations

import codecs
import json
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any

from tapetui.trace.cells import cell_map_from_dict
from tapetui.trace.checks import TraceFormatError
from tapetui.trace.encode import record_text
from tapetui.trace.jsonio import (
    _error,
    call_from_dict,
    event_from_dict,
    tape_from_dict,
    tensor_from_dict,
    variable_from_dict,
)
from tapetui.trace.model import Trace
from tapetui.trace.steps import apply_steps

FLUSH_SECONDS = 0.1
"""A writer's records reach the file at most this long after they were written."""
FLUSH_RECORDS = 2048


def record_line(key: str, value: Any) -> str:
    """One stream record, newline-terminated."""
    return record_text(key, value)


def write_record(stream: IO[str], key: str, value: Any) -> None:
    stream.write(record_line(key, value))
    stream.flush()


class RecordWriter:
    """A sink writing records to ``stream`` in batches: at ``flush()`` (the recorder calls it
    each time it has handled one thing TensorFlow did, so a crash loses nothing that was
    complete), at ``close()``, and within ``FLUSH_SECONDS`` in any case (a background thread)."""

    def __init__(self, stream: IO[str], interval: float = FLUSH_SECONDS) -> None:
        self.stream = stream
        self._fd = _raw_fd(stream)
        self.pending: list[str] = []
        self.upstream: Callable[[], None] = lambda: None
        """Called before each timed flush: records still gathered upstream (the recorder's
        summarised step rows) are written within ``interval`` too."""
        self._lock = threading.RLock()  # re-entrant: a signal handler may print mid-write
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._flush_every, args=(interval,), name="tapetui-flush", daemon=True
        )
        self._thread.start()

    def __call__(self, key: str, value: Any) -> None:
        line = record_text(key, value)
        with self._lock:
            pending = self.pending
            pending.append(line)
            if len(pending) >= FLUSH_RECORDS:
                self.flush()

    def flush(self) -> None:
        if not self.pending:  # the common case costs no lock and no system call
            return
        with self._lock:
            lines, self.pending = self.pending, []
            if self._fd is None:
                self.stream.write("".join(lines))
                self.stream.flush()
            else:
                _write_all(self._fd, "".join(lines).encode("utf-8"))

    def forget(self, stream: IO[str]) -> None:
        """Write to ``stream`` from now on, dropping what is pending, with a new lock (in a
        process the scenario forked: the parent's flush thread may hold the old one)."""
        self.stream, self._fd, self.pending = stream, _raw_fd(stream), []
        self._lock = threading.RLock()

    def _flush_every(self, interval: float) -> None:
        while not self._stop.wait(interval):
            try:
                self.upstream()
                self.flush()
            except (OSError, ValueError):  # the stream was closed under us: nothing to keep
                return

    def close(self) -> None:
        """Stop the background flushes and write what is left (the stream stays open)."""
        self._stop.set()
        self._thread.join()
        self.flush()
        self.stream.flush()


def _raw_fd(stream: IO[str]) -> int | None:
    """The file descriptor under a UTF-8 text file on POSIX, its buffer flushed: the writer
    writes to it directly, one system call a batch, without the text layer's own buffering;
    ``None`` for anything else (a ``StringIO``, another encoding)."""
    try:
        encoding = getattr(stream, "encoding", None)
        if os.name != "posix" or not encoding or codecs.lookup(encoding).name != "utf-8":
            return None
        stream.flush()
        return stream.fileno()
    except (AttributeError, LookupError, OSError, TypeError, ValueError):
        return None


def _write_all(fd: int, data: bytes) -> None:
    written = os.write(fd, data)  # the whole batch, nearly always
    if written < len(data):
        view = memoryview(data)[written:]
        while view:
            view = view[os.write(fd, view) :]


def _apply(trace: Trace, record: dict[str, Any]) -> None:
    ((key, value),) = record.items()
    if key == "meta":
        for name in ("scenario", "seed", "status", "exit_code"):
            if name in value:
                setattr(trace, name, value[name])
        if "error" in value:
            trace.error = _error(value["error"])
        trace.meta.update(value.get("meta") or {})
    elif key == "source":
        trace.sources[value["file"]] = value["text"]
    elif key == "notebook":
        trace.notebook = cell_map_from_dict(value)
    elif key == "tensor":
        tensor = tensor_from_dict(value)
        trace.tensors[tensor.id] = tensor
    elif key == "variable":
        var = variable_from_dict(value)
        trace.variables[var.id] = var
    elif key == "tape":
        tape = tape_from_dict(value)
        trace.tapes[tape.id] = tape
    elif key == "call":
        call = call_from_dict(value)
        trace.gradient_calls[call.id] = call
    elif key == "event":
        trace.events.append(event_from_dict(value))
    elif key == "steps":
        apply_steps(trace, value)
    else:
        raise TraceFormatError(f"unknown record {key!r}")


def apply_record(trace: Trace, record: Any) -> None:
    """Apply one stream record to ``trace`` as it arrives; call ``trace.reindex()`` when done.

    A record this version cannot read (damaged, or of a kind a newer writer added) is skipped
    and counted in ``trace.meta["unreadable_records"]``: a live trace never fails half-way.
    """
    try:
        if not isinstance(record, dict) or len(record) != 1:
            raise TraceFormatError("a record should be an object with one key")
        _apply(trace, record)
    except (TraceFormatError, ValueError, TypeError, KeyError, AttributeError):
        trace.meta["unreadable_records"] = trace.meta.get("unreadable_records", 0) + 1


def parse_line(line: str) -> Any:
    """One stream line as JSON, or ``None`` when it is not valid JSON."""
    try:
        return json.loads(line)
    except (ValueError, RecursionError):
        return None


def iter_records(lines: Iterable[str]) -> Iterator[dict[str, Any]]:
    """Parse stream lines, stopping quietly at a truncated last line (the writer died)."""
    for line in lines:
        if not line.endswith("\n"):
            return
        if line.strip():
            yield json.loads(line)


def trace_from_records(records: Iterable[dict[str, Any]], scenario: str = "") -> Trace:
    """Assemble a Trace from stream records; a partial stream gives a partial trace."""
    trace = Trace(scenario=scenario)
    for record in records:
        _apply(trace, record)
    trace.reindex()
    return trace
