"""Format 3's tables: the objects of one dataclass as columns under one header of field names.

A header per table instead of keys in every object makes a 100,000-op trace less than half the
size and parse several times faster. Columns, not rows (format 2), make it parse faster again
(no list per object), let each column be type-checked in one pass without transposing, and let
the objects be built straight from them. A column of a few plain values repeated (the file, a
dtype, ``null``) is written as runs, ``{"runs": [value, count, …]}``: half the file, and only
its values to check. Events get a table per kind, and ``order`` says which table holds each next
event of the timeline.
"""

from __future__ import annotations

import dataclasses
import functools
from collections import Counter
from collections.abc import Iterable, Sequence
from itertools import chain, groupby, islice, repeat
from operator import attrgetter
from typing import TYPE_CHECKING, Any, TypeVar, cast

from tapetui.trace.checks import (
    TraceFormatError,
    build,
    check_column,
    event_what,
    field_names,
    fields_words,
    required_fields,
)
from tapetui.trace.events import EVENT_TYPES, Event, WatchEvent, WatchItem

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

T = TypeVar("T", bound="DataclassInstance")

Table = dict[str, Any]
"""``{"fields": [name, …], "columns": [[value, …] per field]}`` (format 2: ``"rows"``)."""

_NESTED = ("ValueSummary", "ErrorInfo", "WatchItem")


@functools.cache
def _nested_fields(cls: type) -> frozenset[str]:
    """Fields holding dataclasses, written as JSON objects inside the column."""
    fields = dataclasses.fields(cls)
    return frozenset(f.name for f in fields if any(n in str(f.type) for n in _NESTED))


def _plain(value: Any) -> Any:
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    return value


_RUN_TYPES = frozenset({str, int, bool, type(None)})
"""Values a column may be written as runs of: immutable (every object of a run gets the same
one) and exactly equal when ``==`` (``0.0 == -0.0``, so no floats)."""

MIN_RUN_COLUMN = 8


def _runs(column: list[Any]) -> list[Any] | dict[str, list[Any]]:
    """The column as runs when that is at most half as many values, else as it is."""
    kinds = set(map(type, column))
    if len(column) < MIN_RUN_COLUMN or not kinds <= _RUN_TYPES:
        return column
    mixed = {bool, int} <= kinds  # True == 1, but a run of True is not a run of 1
    key = (lambda v: (type(v), v)) if mixed else None
    most = len(column) // 4
    runs: list[Any] = []
    for value, group in islice(groupby(column, key), most + 1):  # stops once not worth it
        runs += (value[1] if mixed else value, len(list(group)))
    return column if len(runs) > 2 * most else {"runs": runs}


def _column(objects: Sequence[Any], name: str, nested: frozenset[str]) -> Any:
    column = list(map(attrgetter(name), objects))
    return _runs([_plain(v) for v in column] if name in nested else column)


def table(objects: Iterable[Any], cls: type) -> Table:
    """The objects (all of class ``cls``) as one table."""
    names, nested, rows = field_names(cls), _nested_fields(cls), list(objects)
    return {"fields": list(names), "columns": [_column(rows, n, nested) for n in names]}


def events_table(events: Iterable[Event]) -> dict[str, Any]:
    """``{"order": [table index per event], "tables": [{"kind": …, "fields": …, "columns": …}]}``."""
    index: dict[str, int] = {}
    order: list[int] = []
    grouped: list[list[Event]] = []
    for event in events:
        position = index.get(event.kind)
        if position is None:
            position = index[event.kind] = len(grouped)
            grouped.append([])
        grouped[position].append(event)
        order.append(position)
    tables = [{"kind": group[0].kind, **table(group, type(group[0]))} for group in grouped]
    return {"order": order, "tables": tables}


# --- reading ---------------------------------------------------------------------------------


def _names(fields: Any, where: str) -> list[str]:
    if not isinstance(fields, list) or not all(isinstance(n, str) for n in fields):
        raise TraceFormatError(f"{where} should have a list of field names")
    return fields


def _from_rows(rows: Any, width: int, where: str) -> list[Sequence[Any]]:
    """Format 2's rows turned into columns, after checking every row is a list of ``width``."""
    if not isinstance(rows, list):
        raise TraceFormatError(f"{where} should be a table with a list of rows")
    if not set(map(type, rows)) <= {list}:
        raise TraceFormatError(f"every row of {where} should be a list")
    if not set(map(len, rows)) <= {width}:
        bad = next(len(row) for row in rows if len(row) != width)
        raise TraceFormatError(f"a row of {where} has {bad} values for {width} fields")
    return list(zip(*rows, strict=True)) if rows else [() for _ in range(width)]


def _expand(column: Any, length: int, where: str) -> tuple[list[Any], list[Any]]:
    """A column written as runs: its values (to check) and the column they make, ``length``
    long (the length of the table's plain columns)."""
    runs = column.get("runs")
    values, counts = (runs[0::2], runs[1::2]) if isinstance(runs, list) else ([None], [])
    if len(values) != len(counts) or not set(map(type, values)) <= _RUN_TYPES:
        raise TraceFormatError(f"a column of {where} should be values or runs of plain values")
    if not set(map(type, counts)) <= {int} or sum(counts) != length or min(counts, default=0) < 0:
        raise TraceFormatError(f"the columns of {where} are not all the same length")
    return values, list(chain.from_iterable(map(repeat, values, counts)))


def _plain_columns(
    columns: Any, width: int, where: str
) -> tuple[list[Sequence[Any]], dict[int, list[Any]]]:
    """The columns with runs written out, and by column position the runs' values."""
    if not isinstance(columns, list) or not set(map(type, columns)) <= {list, dict}:
        raise TraceFormatError(f"{where} should be a table with a list of columns")
    if len(columns) != width:
        raise TraceFormatError(f"{where} has {len(columns)} columns for {width} fields")
    lengths = {len(c) for c in columns if type(c) is list}
    if len(lengths) > 1 or (not lengths and columns):  # a table's length is its plain columns'
        raise TraceFormatError(f"the columns of {where} are not all the same length")
    length, values = (lengths.pop() if lengths else 0), {}
    out = list(columns)
    for i, column in enumerate(columns):
        if type(column) is dict:
            values[i], out[i] = _expand(column, length, where)
    return out, values


Columns = tuple[list[str], list[Sequence[Any]], dict[int, list[Any]]]
"""A table read: field names, columns, and the values of the columns written as runs."""


def _columns(data: Any, where: str, rows: bool) -> Columns:
    """The field names and columns of the table ``data``; ``rows``: it is format 2's layout."""
    if data is None:
        return [], [], {}
    if not isinstance(data, dict):
        raise TraceFormatError(f"{where} should be a table of named columns")
    names = _names(data.get("fields"), where)
    if rows:
        return names, _from_rows(data.get("rows", []), len(names), where), {}
    columns = data.get("columns", [[] for _ in names])
    return names, *_plain_columns(columns, len(names), where)


def _by_name(cls: type[T], names: list[str], columns: list[Sequence[Any]], what: str) -> list[T]:
    """Objects from columns whose header is not exactly the class's fields (an older or newer
    writer): unknown columns are dropped, missing ones take their defaults."""
    known = [(n, c) for n, c in zip(names, columns, strict=True) if n in field_names(cls)]
    keys = [name for name, _ in known]
    count = len(columns[0]) if columns else 0
    values = zip(*(column for _, column in known), strict=True) if known else repeat((), count)
    missing = [name for name in required_fields(cls) if name not in keys]
    if missing and count:
        raise TraceFormatError(f"{what} is missing {fields_words(missing)}")
    return [cls(**dict(zip(keys, row, strict=True))) for row in values]


def objects(cls: type[T], data: Any, where: str, what: str, rows: bool = False) -> list[T]:
    """The objects of the table ``data`` (named ``where``), every known column type-checked;
    ``rows``: the table is in format 2's layout."""
    names, columns, runs = _columns(data, where, rows)
    known = field_names(cls)
    for i, (name, column) in enumerate(zip(names, columns, strict=True)):
        if name in known and column:
            check_column(cls, name, runs.get(i, column), what)
    if tuple(names) == known:
        return list(map(cls, *columns))
    return _by_name(cls, names, columns, what)


def _event_tables(data: Any) -> tuple[list[Any], list[Any]]:
    if data is None:
        return [], []
    order, parts = (data.get("order"), data.get("tables")) if isinstance(data, dict) else (0, 0)
    if not isinstance(order, list) or not isinstance(parts, list):
        raise TraceFormatError("'events' should have an order and a list of tables")
    if not set(map(type, order)) <= {int}:
        raise TraceFormatError("the events' order should be table numbers")
    return order, parts


def _event_table(part: Any, rows: bool) -> list[Event]:
    kind = part.get("kind") if isinstance(part, dict) else None
    cls = EVENT_TYPES.get(kind) if isinstance(kind, str) else None
    if cls is None:
        raise TraceFormatError(f"unknown event kind {kind!r:.40}")
    built = objects(cls, part, f"the {kind} events", event_what(cls.kind), rows)
    if cls is WatchEvent:
        for event in cast(list[WatchEvent], built):
            event.items = [build(WatchItem, i, "a watch item") for i in event.items]
    return built


def events(data: Any, rows: bool = False) -> list[Event]:
    """The events of the ``events`` tables, in timeline order; ``rows``: format 2's layout."""
    order, parts = _event_tables(data)
    built = [_event_table(part, rows) for part in parts]
    if Counter(order) != {i: len(table) for i, table in enumerate(built) if table}:
        raise TraceFormatError("the events' order does not match their tables")
    takers = [iter(table).__next__ for table in built]
    return [takers[i]() for i in order]
