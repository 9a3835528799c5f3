"""A record's JSON text, written fast: the recorder writes several records for every op.

Each dataclass gets its own encoding function, written out once as one f-string with its keys
already in JSON; plain values (numbers, strings, ``None``) are written by this module, lists and
dicts by the C encoder. The text is what ``json.JSONEncoder`` with ``separators=(",", ":")``
gives for the dataclass's fields as a dict (``fields``), character for character, less the
fields at their default of ``None``, ``False``, ``[]`` or ``{}`` (read back as those defaults);
the C encoder's own work is several times slower at it: it builds a dict per record and a
string per key. Dataclasses nested in a value (a watch event's items) are written whole.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import json.encoder
from collections.abc import Callable
from typing import Any

from tapetui.trace.events import Event
from tapetui.trace.packed import packed_text

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
    if kind in _HELD:
        return _HELD[kind](value, False)
    return nested(value)


@functools.cache
def dataclass_function(cls: type) -> Callable[[Any], str]:
    """The function writing one dataclass as its fields' JSON object, written out once. A field
    at its default of ``None``, ``False``, ``[]`` or ``{}`` is left out (the reader gives a
    missing field its default): most of an op's or a tensor's fields are, and writing them
    cost a third of the record."""
    names: dict[str, Any] = {"_v": value_text, "_E": "", "_p": floats_text, **_TYPED}
    general: Callable[[Any], str] = eval(_source(cls, names, False), names)  # our names only
    typed: Callable[[Any], str] = eval(_source(cls, names, True), names)

    def write(value: Any) -> str:
        try:
            return typed(value)
        except TypeError:  # a field not of its declared type: written by its value's type
            return general(value)

    return write


def _source(cls: type, names: dict[str, Any], typed: bool) -> str:
    return "lambda v: f'{{" + "".join(_parts(cls, names, typed)) + "}}'"


_TYPED: dict[str, Any] = {"_i": _int_repr, "_s": _escape, "_n": nested, "_N": "null"}
"""Writers of fields by their declared type, without ``value_text``'s look at the value's:
each raises ``TypeError`` for a value of another type (then the record is written the general
way)."""
_BY_TYPE = {"int": "_i", "str": "_s", "list[int]": "_n", "list[str]": "_n"}


def _typed_value(f: dataclasses.Field[Any], value: str, skip: str | None) -> str:
    """The expression writing field ``f`` (at ``value``) by its declared type, or by its
    value's when the type is not one of ``_BY_TYPE`` (``skip``: the field may be left out)."""
    declared = str(f.type)
    optional = declared.endswith(" | None")
    write = _BY_TYPE.get(declared.removesuffix(" | None"))
    if write is None:
        return f"_v({value})"
    if optional and (skip is None or skip != f"{value} is None"):  # None is written as null
        return f"_N if {value} is None else {write}({value})"
    return f"{write}({value})"


def _parts(cls: type, names: dict[str, Any], typed: bool = False) -> list[str]:
    """The f-string pieces of ``cls``'s JSON object: each key as JSON text, then its value; a
    field at its default, when it may be left out, gives the empty string ``_E`` (``typed``:
    each value written by its field's declared type)."""
    kind = [f"{_escape('kind')}:{_escape(cls.kind)}"] if issubclass(cls, Event) else []
    parts: list[str] = []
    for f in dataclasses.fields(cls):
        key = _escape(f.name) + ":"
        skip = _default_test(f, f"v.{f.name}")
        value = _FLOATS.get((cls.__name__, f.name)) or (
            _typed_value(f, f"v.{f.name}", skip) if typed else f"_v(v.{f.name})"
        )
        if skip is None or not (kind or parts):  # the first key is always written
            parts.append(("," if kind or parts else "") + key + f"{{{value}}}")
        else:
            names[f"_k_{f.name}"] = "," + key
            parts.append(f"{{_E if {skip} else _k_{f.name} + {value}}}")
    return kind + parts


_FLOATS = {("Tensor", "data"): "_p(v.data, v.shape)", ("ValueSummary", "preview"): "_p(v.preview)"}
"""The fields whose floats are packed (``tapetui.trace.packed``), with their shapes."""


def floats_text(value: Any, shape: Any = None) -> str:
    """A tensor's values: packed when they are floats, else as JSON."""
    write = _HELD.get(type(value))
    if write is not None:
        return write(value, True)
    return packed_text(value, shape) or value_text(value)


_HELD: dict[type, Callable[[Any, bool], str]] = {}
"""Writers of values a recorder holds in a form of its own until their record is written (a
tensor's value as an array), by type: ``write(value, packed)`` gives the JSON text the value's
nested lists would have given (through ``floats_text`` when ``packed``, else ``value_text``)."""


def write_held(kind: type, write: Callable[[Any, bool], str]) -> None:
    """Have values of type ``kind`` written by ``write(value, packed)`` (see ``_HELD``)."""
    _HELD[kind] = write


def _default_test(f: dataclasses.Field[Any], value: str) -> str | None:
    """An expression true when ``value`` is the field's default and may be left out."""
    if f.default is None or f.default is False:
        return f"{value} is {f.default}"
    factory = f.default_factory
    if factory is list or factory is dict:
        return f"{value} == {'[]' if factory is list else '{}'}"
    return None


def record_text(key: str, value: Any) -> str:
    """One stream record, ``{key: value}``, newline-terminated."""
    write = _WRITERS.get(type(value)) or _writer(type(value))
    head = _HEADS.get(key) or _HEADS.setdefault(key, "{" + _escape(key) + ":")
    return head + write(value) + "}\n"


_HEADS: dict[str, str] = {}
_WRITERS: dict[type, Callable[[Any], str]] = {dict: nested}


def _writer(cls: type) -> Callable[[Any], str]:
    if issubclass(cls, dict):
        return nested
    if dataclasses.is_dataclass(cls):
        write = _WRITERS[cls] = dataclass_function(cls)
        return write
    raise TypeError(f"cannot write {cls.__name__} into a trace")
