"""A record's JSON text, written fast: the recorder writes several records for every op.

Each dataclass gets its own encoding function, written out once as one f-string with its keys
already in JSON; plain values (numbers, strings, ``None``) are written by this module, lists and
dicts by the C encoder. The text is the same, character for character, as ``json.JSONEncoder``
with ``separators=(",", ":")`` gives for the dataclass's fields as a dict (``_fields``), which
the C encoder's own work is several times slower at: it builds a dict per record and a string
per key.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import json.encoder
from collections.abc import Callable
from typing import Any

from tapetui.trace.events import Event

_escape: Callable[[str], str] = json.encoder.encode_basestring_ascii
_NOT_FINITE = {"nan": "NaN", "inf": "Infinity", "-inf": "-Infinity"}
_float_repr = float.__repr__
_int_repr = int.__repr__


@functools.cache
def fields_function(cls: type) -> Callable[[Any], dict[str, Any]]:
    """A function building the JSON object of one dataclass, shallow (nested dataclasses come
    back through the encoder's ``default``): written out once per class as a dict display,
    several times faster than ``dataclasses.asdict``, which deep-copies every list it meets."""
    names = [f.name for f in dataclasses.fields(cls)]
    kind = [f"'kind': {cls.kind!r}"] if issubclass(cls, Event) else []
    items = ", ".join([*kind, *(f"{n!r}: v.{n}" for n in names)])
    to_dict: Callable[[Any], dict[str, Any]] = eval(f"lambda v: {{{items}}}", {})  # our names only
    return to_dict


def fields(value: Any) -> dict[str, Any]:
    """A dataclass's fields as a dict (an event's ``kind`` first); ``TypeError`` for others."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return fields_function(type(value))(value)
    raise TypeError(f"cannot write {type(value).__name__} into a trace")


_C_ENCODE: Callable[[Any, int], Any] | None = (
    None
    if json.encoder.c_make_encoder is None  # type: ignore[attr-defined]  # untyped in typeshed
    else json.encoder.c_make_encoder(  # type: ignore[attr-defined]
        None, fields, _escape, None, ":", ",", False, False, True
    )
)
_ENCODER = json.JSONEncoder(separators=(",", ":"), default=fields, check_circular=False)


def nested(value: Any) -> str:
    """Any JSON value (dataclasses inside it as their fields), by the C encoder."""
    if _C_ENCODE is None:
        return _ENCODER.encode(value)
    return "".join(_C_ENCODE(value, 0))


def value_text(value: Any) -> str:
    """One value as JSON."""
    if value is None:
        return "null"
    kind = type(value)
    if kind is int:
        return _int_repr(value)
    if kind is str:
        return _escape(value)
    if kind is bool:
        return "true" if value else "false"
    if kind is float:
        text = _float_repr(value)
        return _NOT_FINITE.get(text, text) if text[-1] in "nf" else text
    if kind is list or kind is dict or kind is tuple:
        return nested(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclass_function(kind)(value)  # type: ignore[arg-type]  # a class is hashable
    return nested(value)


@functools.cache
def dataclass_function(cls: type) -> Callable[[Any], str]:
    """The function writing one dataclass as its fields' JSON object, written out once."""
    source = "lambda v: f'{{" + ",".join(_parts(cls)) + "}}'"
    write: Callable[[Any], str] = eval(source, {"_v": value_text})  # our names only
    return write


def _parts(cls: type) -> list[str]:
    """The f-string pieces of ``cls``'s JSON object: each key as JSON text, then its value."""
    parts = [f"{_escape('kind')}:{_escape(cls.kind)}"] if issubclass(cls, Event) else []
    return parts + [f"{_escape(f.name)}:{{_v(v.{f.name})}}" for f in dataclasses.fields(cls)]


def record_text(key: str, value: Any) -> str:
    """One stream record, ``{key: value}``, newline-terminated."""
    if isinstance(value, dict):
        return "{" + _escape(key) + ":" + nested(value) + "}\n"
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return "{" + _escape(key) + ":" + dataclass_function(type(value))(value) + "}\n"
    raise TypeError(f"cannot write {type(value).__name__} into a trace")
