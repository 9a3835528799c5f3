"""The record stream: one JSON object per line, written by the recorder as things happen.

A scenario that dies still leaves a readable partial trace. Each record carries one key naming
what it updates (``meta``, ``source``, ``tensor``, ``variable``, ``tape``, ``call``, ``event``); a
later record for the same id replaces the earlier one.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import IO, Any

from tapetui.trace.events import Event
from tapetui.trace.jsonio import (
    TraceFormatError,
    _error,
    _jsonable,
    call_from_dict,
    event_from_dict,
    event_to_dict,
    tape_from_dict,
    tensor_from_dict,
    variable_from_dict,
)
from tapetui.trace.model import Trace


def record_line(key: str, value: Any) -> str:
    """One stream record, newline-terminated."""
    if isinstance(value, Event):
        value = event_to_dict(value)
    return json.dumps({key: value}, separators=(",", ":"), default=_jsonable) + "\n"


def write_record(stream: IO[str], key: str, value: Any) -> None:
    stream.write(record_line(key, value))
    stream.flush()


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
    else:
        raise TraceFormatError(f"unknown record {key!r}")


def apply_record(trace: Trace, record: dict[str, Any]) -> None:
    """Apply one stream record to ``trace`` as it arrives; call ``trace.reindex()`` when done."""
    _apply(trace, record)


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
