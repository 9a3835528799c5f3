"""Type checks for what a trace file holds, so a damaged or hostile file fails with one sentence.

Two forms of the same checks: per value (a JSON object per record, format 1 and the record
stream) and per column (the tables of formats 2 and 3, where one pass over a column costs a few
C-level calls instead of a Python call per value).
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Iterable, Sequence
from itertools import chain
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

T = TypeVar("T", bound="DataclassInstance")

Check = Callable[[Any], bool]
ColumnCheck = Callable[[Sequence[Any]], bool]


class TraceFormatError(ValueError):
    """The file is not a trace this version of tapetui can read. The message is one sentence."""


def event_what(kind: str) -> str:
    """``a watch event``, ``an op event``: how a message names one event of ``kind``."""
    return f"{'an' if kind[:1] in ('a', 'e', 'i', 'o', 'u') else 'a'} {kind} event"


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_structure(value: Any, depth: int = 0) -> bool:
    if value is None or _is_int(value):
        return True
    if depth > 32:
        return False
    if isinstance(value, list):
        return all(_is_structure(v, depth + 1) for v in value)
    if isinstance(value, dict):
        return all(_is_structure(v, depth + 1) for v in value.values())
    return False


def _is_str_dict(value: Any) -> bool:
    return isinstance(value, dict) and all(isinstance(x, str) for x in value.values())


CHECKS: dict[str, Check] = {
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
    "dict[str, str]": _is_str_dict,
    "Structure": _is_structure,
    "ValueSummary | None": lambda v: v is None or isinstance(v, dict),
    "ErrorInfo | None": lambda v: v is None or isinstance(v, dict),
}
"""Type checks by annotation, for one value."""

_NONE = type(None)


def _types(*allowed: type) -> ColumnCheck:
    """Every value's exact type is one of ``allowed`` (JSON gives no subclasses; bool ≠ int)."""
    kinds = frozenset(allowed)
    return lambda column: set(map(type, column)) <= kinds


def _lists_of(*allowed: type, optional: bool = False) -> ColumnCheck:
    """Every value is a list (or ``None`` when ``optional``) of values of the ``allowed`` types."""
    outer = _types(list, _NONE) if optional else _types(list)
    inner = frozenset(allowed)

    def check(column: Sequence[Any]) -> bool:
        lists: Iterable[Any] = filter(None, column) if optional else column
        return outer(column) and set(map(type, chain.from_iterable(lists))) <= inner

    return check


def _each(check: Check) -> ColumnCheck:
    return lambda column: all(map(check, column))


def _str_dicts(column: Sequence[Any]) -> bool:
    if not set(map(type, column)) <= {dict}:
        return False
    return set(map(type, chain.from_iterable(map(dict.values, column)))) <= {str}


COLUMN_CHECKS: dict[str, ColumnCheck] = {
    "int": _types(int),
    "int | None": _types(int, _NONE),
    "str": _types(str),
    "str | None": _types(str, _NONE),
    "bool": _types(bool),
    "float | None": _types(int, float, _NONE),
    "list[int]": _lists_of(int),
    "list[int] | None": _lists_of(int, optional=True),
    "list[int | None]": _lists_of(int, _NONE),
    "list[Any]": _types(list),
    "list[WatchItem]": _types(list),
    "dict[str, str]": _str_dicts,
    "Structure": _each(_is_structure),
    "ValueSummary | None": _types(dict, _NONE),
    "ErrorInfo | None": _types(dict, _NONE),
}
"""The same checks as ``CHECKS``, for a whole column at once."""


@functools.cache
def field_checks(cls: type) -> dict[str, Check | None]:
    """Each field of ``cls`` with the check for its annotation (computed once per class)."""
    return {f.name: CHECKS.get(str(f.type)) for f in dataclasses.fields(cls)}


@functools.cache
def field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


def check_column(cls: type, name: str, column: Sequence[Any], what: str) -> None:
    """Raise TraceFormatError naming the first bad value when ``column`` fails its field's check."""
    annotation = next(str(f.type) for f in dataclasses.fields(cls) if f.name == name)
    check = COLUMN_CHECKS.get(annotation)
    if check is None or check(column):
        return
    one = CHECKS[annotation]
    bad = next((v for v in column if not one(v) or type(v) is not _json_type(v)), column[0])
    raise TraceFormatError(f"{what} has an invalid '{name}' ({bad!r:.40})")


def _json_type(value: Any) -> type:
    """The type JSON would have given this value (a subclass of int is not one)."""
    for kind in (bool, int, float, str, list, dict):
        if isinstance(value, kind):
            return kind
    return _NONE


def build(cls: type[T], data: Any, what: str) -> T:
    """An instance of ``cls`` from a JSON object, every known field type-checked."""
    if not isinstance(data, dict):
        raise TraceFormatError(f"{what} should be a JSON object, found {type(data).__name__}")
    checks = field_checks(cls)
    kwargs = {}
    for name, value in data.items():
        if name not in checks:
            continue  # a field from a newer writer: tolerated
        check = checks[name]
        if check is not None and not check(value):
            raise TraceFormatError(f"{what} has an invalid '{name}' ({value!r:.40})")
        kwargs[name] = value
    missing = [name for name in required_fields(cls) if name not in kwargs]
    if missing:
        raise TraceFormatError(f"{what} is missing {fields_words(missing)}")
    return cls(**kwargs)


@functools.cache
def required_fields(cls: type) -> tuple[str, ...]:
    """The fields of ``cls`` without a default: a record must hold each."""
    return tuple(
        f.name
        for f in dataclasses.fields(cls)
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    )


def fields_words(names: Sequence[str]) -> str:
    """``the field 'type'``, ``the fields 'type' and 'message'``."""
    quoted = [f"'{name}'" for name in names]
    if len(quoted) == 1:
        return f"the field {quoted[0]}"
    return f"the fields {', '.join(quoted[:-1])} and {quoted[-1]}"
