"""The versioned JSON format of a trace: save and load.

JSON only: loading a trace never executes anything. Unknown fields are ignored so older readers
tolerate additions; a trace from a newer format version is refused. Format 3 (written) stores
tapes, variables, tensors, calls and events as tables of columns (``tapetui.trace.tables``).
Still read: format 2, the same tables as rows, and format 1, a JSON object for each.

The record stream the recorder writes is in ``tapetui.trace.stream``.
"""

from __future__ import annotations

import dataclasses
import gc
import json
import math
from pathlib import Path
from typing import Any

from tapetui.trace import tables
from tapetui.trace.checks import CHECKS, TraceFormatError, build
from tapetui.trace.events import EVENT_TYPES, Event, WatchEvent, WatchItem
from tapetui.trace.heap import collector_paused
from tapetui.trace.model import (
    FORMAT_VERSION,
    ErrorInfo,
    GradientCall,
    Tape,
    Tensor,
    Trace,
    ValueSummary,
    Variable,
)

FORMAT_NAME = "tapetui-trace"


def _summary(data: Any) -> ValueSummary | None:
    return None if data is None else build(ValueSummary, data, "a value summary")


def _error(data: Any) -> ErrorInfo | None:
    return None if data is None else build(ErrorInfo, data, "an error")


def tensor_from_dict(data: Any) -> Tensor:
    t = build(Tensor, data, "a tensor")
    t.summary = _summary(t.summary)
    return t


def variable_from_dict(data: Any) -> Variable:
    v = build(Variable, data, "a variable")
    v.summary = _summary(v.summary)
    return v


def tape_from_dict(data: Any) -> Tape:
    return build(Tape, data, "a tape")


def call_from_dict(data: Any) -> GradientCall:
    c = build(GradientCall, data, "a gradient call")
    c.error = _error(c.error)
    return c


def event_from_dict(data: Any) -> Event:
    if not isinstance(data, dict):
        raise TraceFormatError("an event should be a JSON object")
    cls = EVENT_TYPES.get(data.get("kind", ""))
    if cls is None:
        raise TraceFormatError(f"unknown event kind {data.get('kind')!r}")
    event = build(cls, data, f"a {cls.kind} event")
    if isinstance(event, WatchEvent):
        event.items = [build(WatchItem, i, "a watch item") for i in event.items]
    return event


def event_to_dict(event: Event) -> dict[str, Any]:
    return {"kind": event.kind, **dataclasses.asdict(event)}


def trace_to_dict(trace: Trace) -> dict[str, Any]:
    """The trace as JSON data, in the current format."""
    return {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "scenario": trace.scenario,
        "seed": trace.seed,
        "status": trace.status,
        "exit_code": trace.exit_code,
        "error": None if trace.error is None else dataclasses.asdict(trace.error),
        "meta": trace.meta,
        "sources": trace.sources,
        "tapes": tables.table(trace.tapes.values(), Tape),
        "variables": tables.table(trace.variables.values(), Variable),
        "tensors": tables.table(trace.tensors.values(), Tensor),
        "gradient_calls": tables.table(trace.gradient_calls.values(), GradientCall),
        "events": tables.events_table(trace.events),
    }


def _check_header(data: Any, where: str) -> None:
    if not isinstance(data, dict) or data.get("format") != FORMAT_NAME:
        raise TraceFormatError(f"{where} is not a tapetui trace")
    version = data.get("version")
    if not CHECKS["int"](version) or version < 1:
        raise TraceFormatError(f"{where} has no valid format version")
    if version > FORMAT_VERSION:
        raise TraceFormatError(
            f"{where} uses trace format {version}, newer than the {FORMAT_VERSION} this tapetui "
            "reads; upgrade tapetui to open it"
        )


def _list(data: dict[str, Any], key: str) -> list[Any]:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise TraceFormatError(f"'{key}' should be a list")
    return value


def _read_objects_v1(trace: Trace, data: dict[str, Any]) -> None:
    """Format 1: every tape, variable, tensor, call and event is a JSON object."""
    for tape in map(tape_from_dict, _list(data, "tapes")):
        trace.tapes[tape.id] = tape
    for var in map(variable_from_dict, _list(data, "variables")):
        trace.variables[var.id] = var
    for tensor in map(tensor_from_dict, _list(data, "tensors")):
        trace.tensors[tensor.id] = tensor
    for call in map(call_from_dict, _list(data, "gradient_calls")):
        trace.gradient_calls[call.id] = call
    trace.events = [event_from_dict(e) for e in _list(data, "events")]


def _read_tables(trace: Trace, data: dict[str, Any]) -> None:
    """Formats 2 and 3: tables of rows, and of columns (``tapetui.trace.tables``)."""
    get, rows = data.get, data["version"] == 2
    trace.tapes = {t.id: t for t in tables.objects(Tape, get("tapes"), "'tapes'", "a tape", rows)}
    variables = tables.objects(Variable, get("variables"), "'variables'", "a variable", rows)
    tensors = tables.objects(Tensor, get("tensors"), "'tensors'", "a tensor", rows)
    for holder in (*variables, *(t for t in tensors if t.summary is not None)):
        holder.summary = _summary(holder.summary)
    trace.variables = {v.id: v for v in variables}
    trace.tensors = {t.id: t for t in tensors}
    calls = tables.objects(GradientCall, get("gradient_calls"), "'gradient_calls'", "a call", rows)
    for call in calls:
        call.error = _error(call.error)
    trace.gradient_calls = {c.id: c for c in calls}
    trace.events = tables.events(get("events"), rows)


def trace_from_dict(data: Any, where: str = "the trace") -> Trace:
    """Build a Trace from its JSON form; raises TraceFormatError naming ``where``."""
    _check_header(data, where)
    try:
        trace = Trace(scenario=str(data.get("scenario", "")), version=data["version"])
        trace.seed = int(data.get("seed", 0))
        trace.status = str(data.get("status", "finished"))
        trace.exit_code = data.get("exit_code")
        if isinstance(trace.exit_code, bool):  # older recorders kept sys.exit(True) as it was
            trace.exit_code = int(trace.exit_code)
        if not CHECKS["int | None"](trace.exit_code):
            raise TraceFormatError("'exit_code' should be a whole number")
        trace.error = _error(data.get("error"))
        trace.meta = dict(data.get("meta") or {})
        trace.sources = {str(k): str(v) for k, v in dict(data.get("sources") or {}).items()}
        read = _read_objects_v1 if data["version"] == 1 else _read_tables
        read(trace, data)
    except TraceFormatError as exc:
        raise TraceFormatError(f"{where} is damaged: {exc}") from None
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        raise TraceFormatError(f"{where} is damaged: {exc}") from None
    trace.reindex()
    return trace


BIG_TRACE_BYTES = 4_000_000
"""From this size (about 10,000 ops) a loaded trace is frozen out of the collector's scans
(``tapetui.trace.heap``)."""


def dumps(trace: Trace) -> str:
    return json.dumps(trace_to_dict(trace), separators=(",", ":"), default=_jsonable)


def save(trace: Trace, path: str | Path) -> None:
    """Write ``trace`` to ``path`` as JSON."""
    Path(path).write_text(dumps(trace), encoding="utf-8")


def load(path: str | Path) -> Trace:
    """Read a trace file; raises TraceFormatError with one sentence naming the file."""
    where = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise TraceFormatError(f"{where} does not exist") from None
    except IsADirectoryError:
        raise TraceFormatError(f"{where} is a directory, not a trace file") from None
    except UnicodeDecodeError:
        raise TraceFormatError(f"{where} is not a tapetui trace (it is not UTF-8 text)") from None
    except OSError as exc:
        raise TraceFormatError(f"{where} cannot be read: {exc.strerror}") from None
    big = len(text) >= BIG_TRACE_BYTES
    if big:
        gc.collect()  # so that nothing already garbage is frozen with the trace
    with collector_paused(freeze=big):
        return trace_from_dict(_parse(text, where), where)


def _parse(text: str, where: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise TraceFormatError(
            f"{where} is not valid JSON (line {exc.lineno}, column {exc.colno}); "
            "it may be truncated or corrupt"
        ) from None
    except RecursionError:
        raise TraceFormatError(f"{where} is nested too deeply to be a tapetui trace") from None


def _jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    raise TypeError(f"cannot write {type(value).__name__} into a trace")


def encode_float(x: float) -> float | str:
    """A float as JSON can carry it: non-finite values become ``"nan"``, ``"inf"``, ``"-inf"``."""
    if math.isfinite(x):
        return x
    if math.isnan(x):
        return "nan"
    return "inf" if x > 0 else "-inf"
