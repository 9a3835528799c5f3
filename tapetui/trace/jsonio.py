"""The versioned JSON format of a trace: save and load.

JSON only: loading a trace never executes anything. Unknown fields are ignored so older readers
tolerate additions; a trace from a newer format version is refused.

The record stream the recorder writes is in ``tapetui.trace.stream``.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from tapetui.trace.events import EVENT_TYPES, Event, WatchEvent, WatchItem
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

T = TypeVar("T")


class TraceFormatError(ValueError):
    """The file is not a trace this version of tapetui can read. The message is one sentence."""


def _is_structure(value: Any, depth: int = 0) -> bool:
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return True
    if depth > 32:
        return False
    if isinstance(value, list):
        return all(_is_structure(v, depth + 1) for v in value)
    if isinstance(value, dict):
        return all(_is_structure(v, depth + 1) for v in value.values())
    return False


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


_CHECKS: dict[str, Any] = {
    "int": _is_int,
    "int | None": lambda v: v is None or _is_int(v),
    "str": lambda v: isinstance(v, str),
    "str | None": lambda v: v is None or isinstance(v, str),
    "bool": lambda v: isinstance(v, bool),
    "float | None": lambda v: v is None or (isinstance(v, int | float) and not isinstance(v, bool)),
    "list[int]": lambda v: isinstance(v, list) and all(map(_is_int, v)),
    "list[int] | None": lambda v: v is None or (isinstance(v, list) and all(map(_is_int, v))),
    "list[int | None]": lambda v: isinstance(v, list) and all(x is None or _is_int(x) for x in v),
    "list[Any]": lambda v: isinstance(v, list),
    "list[WatchItem]": lambda v: isinstance(v, list),
    "dict[str, str]": lambda v: isinstance(v, dict) and all(isinstance(x, str) for x in v.values()),
    "Structure": _is_structure,
    "ValueSummary | None": lambda v: v is None or isinstance(v, dict),
    "ErrorInfo | None": lambda v: v is None or isinstance(v, dict),
}
"""Type checks by annotation, so a damaged file fails here with a sentence, not later."""


@functools.cache
def _field_checks(cls: type) -> dict[str, Callable[[Any], bool] | None]:
    """Each field of ``cls`` with the check for its annotation (computed once per class)."""
    return {f.name: _CHECKS.get(str(f.type)) for f in dataclasses.fields(cls)}


def _build(cls: type[T], data: Any, what: str) -> T:
    if not isinstance(data, dict):
        raise TraceFormatError(f"{what} should be a JSON object, found {type(data).__name__}")
    checks = _field_checks(cls)
    kwargs = {}
    for name, value in data.items():
        if name not in checks:
            continue  # a field from a newer writer: tolerated
        check = checks[name]
        if check is not None and not check(value):
            raise TraceFormatError(f"{what} has an invalid '{name}' ({value!r:.40})")
        kwargs[name] = value
    try:
        return cls(**kwargs)
    except TypeError as exc:
        raise TraceFormatError(f"{what} is missing fields ({exc})") from None


def _summary(data: Any) -> ValueSummary | None:
    return None if data is None else _build(ValueSummary, data, "a value summary")


def _error(data: Any) -> ErrorInfo | None:
    return None if data is None else _build(ErrorInfo, data, "an error")


def tensor_from_dict(data: Any) -> Tensor:
    t = _build(Tensor, data, "a tensor")
    t.summary = _summary(t.summary)
    return t


def variable_from_dict(data: Any) -> Variable:
    v = _build(Variable, data, "a variable")
    v.summary = _summary(v.summary)
    return v


def tape_from_dict(data: Any) -> Tape:
    return _build(Tape, data, "a tape")


def call_from_dict(data: Any) -> GradientCall:
    c = _build(GradientCall, data, "a gradient call")
    c.error = _error(c.error)
    return c


def event_from_dict(data: Any) -> Event:
    if not isinstance(data, dict):
        raise TraceFormatError("an event should be a JSON object")
    cls = EVENT_TYPES.get(data.get("kind", ""))
    if cls is None:
        raise TraceFormatError(f"unknown event kind {data.get('kind')!r}")
    event = _build(cls, data, f"a {cls.kind} event")
    if isinstance(event, WatchEvent):
        event.items = [_build(WatchItem, i, "a watch item") for i in event.items]
    return event


def event_to_dict(event: Event) -> dict[str, Any]:
    return {"kind": event.kind, **dataclasses.asdict(event)}


def trace_to_dict(trace: Trace) -> dict[str, Any]:
    return {
        "format": FORMAT_NAME,
        "version": trace.version,
        "scenario": trace.scenario,
        "seed": trace.seed,
        "status": trace.status,
        "exit_code": trace.exit_code,
        "error": None if trace.error is None else dataclasses.asdict(trace.error),
        "meta": trace.meta,
        "sources": trace.sources,
        "tapes": [dataclasses.asdict(t) for t in trace.tapes.values()],
        "variables": [dataclasses.asdict(v) for v in trace.variables.values()],
        "tensors": [dataclasses.asdict(t) for t in trace.tensors.values()],
        "gradient_calls": [dataclasses.asdict(c) for c in trace.gradient_calls.values()],
        "events": [event_to_dict(e) for e in trace.events],
    }


def _check_header(data: Any, where: str) -> None:
    if not isinstance(data, dict) or data.get("format") != FORMAT_NAME:
        raise TraceFormatError(f"{where} is not a tapetui trace")
    version = data.get("version")
    if not isinstance(version, int):
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


def trace_from_dict(data: Any, where: str = "the trace") -> Trace:
    """Build a Trace from its JSON form; raises TraceFormatError naming ``where``."""
    _check_header(data, where)
    try:
        trace = Trace(scenario=str(data.get("scenario", "")), version=data["version"])
        trace.seed = int(data.get("seed", 0))
        trace.status = str(data.get("status", "finished"))
        trace.exit_code = data.get("exit_code")
        if not _CHECKS["int | None"](trace.exit_code):
            raise TraceFormatError("'exit_code' should be a whole number")
        trace.error = _error(data.get("error"))
        trace.meta = dict(data.get("meta") or {})
        trace.sources = {str(k): str(v) for k, v in dict(data.get("sources") or {}).items()}
        for tape in map(tape_from_dict, _list(data, "tapes")):
            trace.tapes[tape.id] = tape
        for var in map(variable_from_dict, _list(data, "variables")):
            trace.variables[var.id] = var
        for tensor in map(tensor_from_dict, _list(data, "tensors")):
            trace.tensors[tensor.id] = tensor
        for call in map(call_from_dict, _list(data, "gradient_calls")):
            trace.gradient_calls[call.id] = call
        trace.events = [event_from_dict(e) for e in _list(data, "events")]
    except TraceFormatError as exc:
        raise TraceFormatError(f"{where} is damaged: {exc}") from None
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        raise TraceFormatError(f"{where} is damaged: {exc}") from None
    trace.reindex()
    return trace


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
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise TraceFormatError(
            f"{where} is not valid JSON (line {exc.lineno}, column {exc.colno}); "
            "it may be truncated or corrupt"
        ) from None
    except RecursionError:
        raise TraceFormatError(f"{where} is nested too deeply to be a tapetui trace") from None
    return trace_from_dict(data, where)


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
