"""Format 2's tables: the objects of one dataclass as rows under one header of field names.

A header per table instead of keys in every object makes a 100,000-op trace less than half the
size, parse several times faster, and lets each column be type-checked in one pass. Events get
a table per kind, and ``order`` says which table holds each next event of the timeline.
"""

from __future__ import annotations

import dataclasses
import functools
from collections import Counter
from collections.abc import Iterable
from itertools import starmap
from typing import Any, TypeVar

from tapetui.trace.checks import TraceFormatError, build, check_column, field_names
from tapetui.trace.events import EVENT_TYPES, Event, WatchEvent, WatchItem

T = TypeVar("T")

Table = dict[str, Any]
"""``{"fields": [name, …], "rows": [[value, …], …]}``."""

_NESTED = ("ValueSummary", "ErrorInfo", "WatchItem")


@functools.cache
def _nested_fields(cls: type) -> frozenset[str]:
    """Fields holding dataclasses, written as JSON objects inside the row."""
    fields = dataclasses.fields(cls)
    return frozenset(f.name for f in fields if any(n in str(f.type) for n in _NESTED))


def _plain(value: Any) -> Any:
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    return value


def _row(obj: Any, names: tuple[str, ...], nested: frozenset[str]) -> list[Any]:
    if not nested:
        return [getattr(obj, name) for name in names]
    return [_plain(getattr(obj, n)) if n in nested else getattr(obj, n) for n in names]


def table(objects: Iterable[Any], cls: type) -> Table:
    """The objects (all of class ``cls``) as one table."""
    names, nested = field_names(cls), _nested_fields(cls)
    return {"fields": list(names), "rows": [_row(obj, names, nested) for obj in objects]}


def events_table(events: Iterable[Event]) -> dict[str, Any]:
    """``{"order": [table index per event], "tables": [{"kind": …, "fields": …, "rows": …}]}``."""
    index: dict[str, int] = {}
    order: list[int] = []
    out: list[Table] = []
    for event in events:
        cls = type(event)
        position = index.get(event.kind)
        if position is None:
            position = index[event.kind] = len(out)
            out.append({"kind": event.kind, "fields": list(field_names(cls)), "rows": []})
        out[position]["rows"].append(_row(event, field_names(cls), _nested_fields(cls)))
        order.append(position)
    return {"order": order, "tables": out}


# --- reading ---------------------------------------------------------------------------------


def _parts(data: Any, where: str) -> tuple[Any, list[Any]]:
    if data is None:
        return [], []
    if not isinstance(data, dict) or not isinstance(data.get("rows", []), list):
        raise TraceFormatError(f"{where} should be a table with a list of rows")
    return data.get("fields"), data.get("rows", [])


def _names(fields: Any, where: str) -> list[str]:
    if not isinstance(fields, list) or not all(isinstance(n, str) for n in fields):
        raise TraceFormatError(f"{where} should have a list of field names")
    return fields


def _check_rows(rows: list[Any], width: int, what: str) -> None:
    if not set(map(type, rows)) <= {list}:
        raise TraceFormatError(f"every row of {what} should be a list")
    if not set(map(len, rows)) <= {width}:
        bad = next(len(row) for row in rows if len(row) != width)
        raise TraceFormatError(f"a row of {what} has {bad} values for {width} fields")


def _by_name(cls: type[T], names: list[str], rows: list[Any], what: str) -> list[T]:
    """Objects from rows whose header is not exactly the class's fields (an older or newer
    writer): unknown columns are dropped, missing ones take their defaults."""
    known = [(i, n) for i, n in enumerate(names) if n in field_names(cls)]
    try:
        return [cls(**{name: row[i] for i, name in known}) for row in rows]
    except TypeError as exc:
        raise TraceFormatError(f"{what} is missing fields ({exc})") from None


def _check_columns(cls: type, names: list[str], rows: list[Any], what: str) -> None:
    if not rows:
        return
    known = field_names(cls)
    for name, column in zip(names, zip(*rows, strict=True), strict=True):
        if name in known:
            check_column(cls, name, column, what)


def objects(cls: type[T], data: Any, where: str, what: str) -> list[T]:
    """The objects of the table ``data`` (named ``where``), every known column type-checked."""
    fields, rows = _parts(data, where)
    names = _names(fields, where)
    _check_rows(rows, len(names), where)
    _check_columns(cls, names, rows, what)
    if tuple(names) == field_names(cls):
        return list(starmap(cls, rows))
    return _by_name(cls, names, rows, what)


def _event_tables(data: Any) -> tuple[list[Any], list[Any]]:
    if data is None:
        return [], []
    order, parts = (data.get("order"), data.get("tables")) if isinstance(data, dict) else (0, 0)
    if not isinstance(order, list) or not isinstance(parts, list):
        raise TraceFormatError("'events' should have an order and a list of tables")
    if not set(map(type, order)) <= {int}:
        raise TraceFormatError("the events' order should be table numbers")
    return order, parts


def _event_table(part: Any) -> list[Event]:
    kind = part.get("kind") if isinstance(part, dict) else None
    cls = EVENT_TYPES.get(kind) if isinstance(kind, str) else None
    if cls is None:
        raise TraceFormatError(f"unknown event kind {kind!r:.40}")
    built = objects(cls, part, f"the {kind} events", f"a {kind} event")
    if cls is WatchEvent:
        for event in built:
            event.items = [build(WatchItem, i, "a watch item") for i in event.items]
    return built


def events(data: Any) -> list[Event]:
    """The events of the ``events`` tables, in timeline order."""
    order, parts = _event_tables(data)
    built = [_event_table(part) for part in parts]
    if Counter(order) != {i: len(table) for i, table in enumerate(built) if table}:
        raise TraceFormatError("the events' order does not match their tables")
    takers = [iter(table).__next__ for table in built]
    return [takers[i]() for i in order]
