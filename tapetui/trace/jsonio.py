"""The versioned JSON format of a trace: save and load.

JSON only: loading a trace never executes anything. Unknown fields are ignored so older readers
tolerate additions; a trace from a newer format version is refused. Format 3 (written) stores
tapes, variables, tensors, calls and events as tables of columns (``tapetui.trace.tables``).
Still read: format 2, the same tables as rows, and format 1, a JSON object for each.

Numbers beyond 64 bits are read as floats, consistently: an integer of 21 digits or more as its
float value, and anything past float64's range (``1e400``, a 5,000-digit integer, JSON's
non-standard ``Infinity``) as infinite. In a value (a tensor's data, a preview) that is the
trace's own ``"inf"``; a summary's min, max, mean or norm that is not finite is unknown
(``None``), as the recorder writes a norm past float64; where a whole number belongs (an id, a
line, a count) the trace is refused as damaged, naming the field.

The record stream the recorder writes is in ``tapetui.trace.stream``.
"""

from __future__ import annotations

import dataclasses
import gc
import json
import math
import os
import stat
from pathlib import Path
from typing import Any

from tapetui.trace import tables
from tapetui.trace.cells import cell_map_from_dict, cell_map_to_dict
from tapetui.trace.checks import CHECKS, TraceFormatError, build, event_what
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
from tapetui.trace.packed import is_packed, unpacked
from tapetui.trace.references import check_references

FORMAT_NAME = "tapetui-trace"


_STATISTICS = ("min", "max", "mean", "norm")


def _summary(data: Any) -> ValueSummary | None:
    if data is None:
        return None
    if isinstance(data, dict):  # not finite: unknown (see the module docstring)
        if is_packed(data.get("preview")):  # a stream record's (``tapetui.trace.packed``)
            data["preview"] = unpacked(data["preview"], None)
        for key in _STATISTICS:
            value = data.get(key)
            if value in _NONFINITE or (type(value) is float and not math.isfinite(value)):
                data[key] = None
    return build(ValueSummary, data, "a value summary")


def _error(data: Any) -> ErrorInfo | None:
    return None if data is None else build(ErrorInfo, data, "an error")


def tensor_from_dict(data: Any) -> Tensor:
    if isinstance(data, dict) and is_packed(data.get("data")):  # a stream record's
        data = {**data, "data": unpacked(data["data"], data.get("shape"))}
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
    event = build(cls, data, event_what(cls.kind))
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
        **({} if trace.notebook is None else {"notebook": cell_map_to_dict(trace.notebook)}),
        "tapes": tables.table(trace.tapes.values(), Tape),
        "variables": tables.table(trace.variables.values(), Variable),
        "tensors": tables.table(trace.tensors.values(), Tensor),
        "gradient_calls": tables.table(trace.gradient_calls.values(), GradientCall),
        "events": tables.events_table(trace.events),
    }


def _check_header(data: Any, where: str) -> None:
    if not isinstance(data, dict) or data.get("format") != FORMAT_NAME:
        raise TraceFormatError(f"{where} is not a tapetui trace")
    version: Any = data.get("version")  # checked on the next line
    if not CHECKS["int"](version) or version < 1:
        raise TraceFormatError(f"{where} has no valid format version")
    if version > FORMAT_VERSION:
        raise TraceFormatError(
            f"{where} uses trace format {version}, newer than the {FORMAT_VERSION} this tapetui "
            "reads; upgrade tapetui to open it"
        )


def _object(data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise TraceFormatError(f"'{key}' should be an object, found {type(value).__name__}")
    return value


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
    holders: list[Variable | Tensor] = [*variables, *(t for t in tensors if t.summary is not None)]
    for holder in holders:
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
        trace.seed = data.get("seed", 0)
        if not CHECKS["int"](trace.seed):
            raise TraceFormatError("'seed' should be a whole number")
        trace.status = str(data.get("status", "finished"))
        trace.exit_code = data.get("exit_code")
        if isinstance(trace.exit_code, bool):  # older recorders kept sys.exit(True) as it was
            trace.exit_code = int(trace.exit_code)
        if not CHECKS["int | None"](trace.exit_code):
            raise TraceFormatError("'exit_code' should be a whole number")
        trace.error = _error(data.get("error"))
        trace.meta = dict(_object(data, "meta"))
        trace.sources = {str(k): str(v) for k, v in _object(data, "sources").items()}
        trace.notebook = cell_map_from_dict(data.get("notebook"))
        read = _read_objects_v1 if data["version"] == 1 else _read_tables
        read(trace, data)
        trace.reindex()
        check_references(trace)
    except TraceFormatError as exc:
        raise TraceFormatError(f"{where} is damaged: {exc}") from None
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        raise TraceFormatError(f"{where} is damaged: {exc}") from None
    return trace


BIG_TRACE_BYTES = 4_000_000
"""From this size (about 10,000 ops) a loaded trace is frozen out of the collector's scans
(``tapetui.trace.heap``)."""


def dumps(trace: Trace) -> str:
    return json.dumps(trace_to_dict(trace), separators=(",", ":"), default=_jsonable)


def save(trace: Trace, path: str | Path) -> None:
    """Write ``trace`` to ``path`` as JSON. A regular file is replaced whole: the JSON goes to a
    new file beside it first, so a write that is killed or fails (a full disk) leaves the file
    that was there, never half a trace. Anything else (``/dev/stdout``, a pipe) is written to."""
    text = dumps(trace)
    try:
        mode: int | None = os.stat(path).st_mode
    except FileNotFoundError:
        mode = None
    if mode is not None and not stat.S_ISREG(mode):
        Path(path).write_text(text, encoding="utf-8")
        return
    out = Path(os.path.realpath(path))  # through a symbolic link: its target is replaced
    part = out.with_name(f".{out.name}.{os.getpid()}.part")
    try:
        part.write_text(text, encoding="utf-8")
        if mode is not None:
            os.chmod(part, stat.S_IMODE(mode))
        os.replace(part, out)
    finally:
        part.unlink(missing_ok=True)


TRACE_SUFFIXES = (".json", ".jsonl")
"""What a trace file's name ends with, in any case: a trace, a record stream. Never run."""


def is_trace_path(path: str | Path) -> bool:
    return Path(path).suffix.lower() in TRACE_SUFFIXES


def _read(path: Path, where: str) -> bytes:
    """The bytes of a regular file; a pipe or a device (which could block or never end) is
    refused before it is opened."""
    try:
        mode = path.stat().st_mode
        if stat.S_ISDIR(mode):
            raise TraceFormatError(f"{where} is a directory, not a trace file")
        if not stat.S_ISREG(mode):
            raise TraceFormatError(
                f"{where} is not a regular file (a pipe, a device or a socket); give a trace file"
            )
        return path.read_bytes()
    except TraceFormatError:
        raise
    except FileNotFoundError:
        raise TraceFormatError(f"{where} does not exist") from None
    except IsADirectoryError:
        raise TraceFormatError(f"{where} is a directory, not a trace file") from None
    except OSError as exc:
        why = (exc.strerror or str(exc)).lower()
        raise TraceFormatError(f"{where} cannot be read: {why}") from None
    except ValueError:  # only from a program's own call: a shell cannot pass NUL
        raise TraceFormatError(f"{where} cannot be read: its name holds a NUL character") from None


_COMPRESSED = {b"\x1f\x8b": "gzip", b"BZh": "bzip2", b"\xfd7zXZ\x00": "xz", b"PK\x03\x04": "zip"}
"""The first bytes of compressed files someone may hand over as a trace."""


def _text(raw: bytes, where: str) -> str:
    """A trace file's bytes as text: UTF-8, a leading byte-order mark allowed (an editor's)."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    packer = next((name for magic, name in _COMPRESSED.items() if raw.startswith(magic)), None)
    if packer is not None:
        raise TraceFormatError(
            f"{where} is {packer}-compressed, not a tapetui trace; decompress it and open the "
            "JSON file"
        )
    raise TraceFormatError(f"{where} is not a tapetui trace (it is not UTF-8 text)")


_NONFINITE = ("inf", "-inf", "nan")
INT_DIGITS = 20
"""Integers of up to this many digits are read as integers (64-bit values have at most 20)."""
_SHAPE = bytes(
    ord("0") if chr(c).isdigit() and c < 128 else ord("e") if c in b"eE" else ord(" ")
    for c in range(256)
)
"""Each byte as what it is in a number: ``0`` a digit, ``e`` an exponent, `` `` anything else."""


def _may_not_fit(text: str) -> bool:
    """Whether ``text`` may hold a number beyond 64 bits or a non-finite one: a run of more than
    ``INT_DIGITS`` digits, an exponent of three digits or more, ``Infinity``, ``NaN``. Only such a
    file is read with the slower hooks below (a Python call per integer, a walk over every value);
    this look costs a few C-level passes (a regular expression took a third of the parse)."""
    if "Infinity" in text or "NaN" in text:
        return True
    shape = text.encode("utf-8", "surrogatepass").translate(_SHAPE, b"+-")
    return b"0" * (INT_DIGITS + 1) in shape or b"e000" in shape


def _int(text: str) -> int | float:
    """An integer literal; beyond 64 bits its float value (infinite past float64's range)."""
    digits = len(text) - text.startswith("-")
    return int(text) if digits <= INT_DIGITS else float(text)


def _spell_nonfinite(data: Any) -> None:
    """Every infinite or NaN float in ``data`` becomes ``"inf"``, ``"-inf"`` or ``"nan"``, as
    tapetui writes them (iteratively: the nesting may be as deep as JSON allows)."""
    stack = [data]
    while stack:
        node = stack.pop()
        items = enumerate(node) if isinstance(node, list) else node.items()
        for key, value in items:
            if type(value) is float and not math.isfinite(value):
                node[key] = encode_float(value)
            elif isinstance(value, list | dict):
                stack.append(value)


def _parse(text: str, where: str) -> Any:
    try:
        if not _may_not_fit(text):
            return json.loads(text)
        data = json.loads(text, parse_int=_int)
        if isinstance(data, list | dict):
            _spell_nonfinite(data)
        return data
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


def read_text(path: str | Path) -> str:
    """A trace file's text; TraceFormatError with one sentence naming the file when it cannot
    be read as text."""
    where = str(path)
    return _text(_read(Path(path), where), where)


def trace_from_text(text: str, where: str) -> Trace:
    """The trace a trace file's ``text`` holds; TraceFormatError naming ``where`` if none."""
    big = len(text) >= BIG_TRACE_BYTES
    if big:
        gc.collect()  # so that nothing already garbage is frozen with the trace
    with collector_paused(freeze=big):
        return trace_from_dict(_parse(text, where), where)
