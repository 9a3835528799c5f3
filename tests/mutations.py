"""Hypothesis strategies that damage a real recorded trace the way a bad file or a buggy writer
would: ids pointing elsewhere, fields deleted, values of the wrong kind.

The damaged trace goes through the real loader; what it accepts must then be shown or reported
without an unhandled exception.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from tapetui.trace import Trace, TraceFormatError, load
from tapetui.trace.jsonio import trace_from_dict, trace_to_dict

TRACES = Path(__file__).resolve().parent / "ui" / "traces"

LEAVES = (
    st.none()
    | st.booleans()
    | st.integers(-3, 3)
    | st.integers(-(2**40), 2**40)
    | st.floats(allow_nan=False)
    | st.sampled_from(["nan", "inf", "-inf", "", "x", "float32", "gradient", "Mul"])
)
JSON_VALUES = st.recursive(
    LEAVES,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=2)
    ),
    max_leaves=5,
)


def base(name: str) -> dict[str, Any]:
    """A recorded fixture trace as plain data."""
    return trace_to_dict(load(TRACES / f"{name}.json"))


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in ``value`` that a mutation can hit."""
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, child in value.items():
            found += paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += paths(child, (*prefix, index))
    return found


def ids_in(data: dict[str, Any]) -> list[int]:
    """Integers the trace already uses, so a mutation can point one reference at another thing."""
    found: set[int] = set()

    def walk(value: Any) -> None:
        if isinstance(value, bool):
            return
        if isinstance(value, int):
            found.add(value)
        elif isinstance(value, dict):
            for child in value.values():
                walk(child)
        elif isinstance(value, list):
            for child in value:
                walk(child)

    walk(data)
    return sorted(found)


@st.composite
def mutated(draw: st.DrawFn, data: dict[str, Any]) -> dict[str, Any]:
    """``data`` with one to three places replaced, re-pointed or deleted."""
    out = copy.deepcopy(data)
    known = ids_in(data)
    for _ in range(draw(st.integers(1, 3))):
        where = paths(out)
        if not where:
            break
        path = draw(st.sampled_from(where))
        parent = out
        for key in path[:-1]:
            parent = parent[key]
        action = draw(st.sampled_from(["replace", "repoint", "delete"]))
        if action == "delete":
            del parent[path[-1]]
        elif action == "repoint":
            parent[path[-1]] = draw(st.sampled_from(known))
        else:
            parent[path[-1]] = draw(JSON_VALUES)
    return out


def load_or_refuse(data: dict[str, Any]) -> Trace | None:
    """The trace the loader makes of ``data``, or ``None`` when it refuses it with a sentence."""
    try:
        return trace_from_dict(json.loads(json.dumps(data)), "fuzz.json")
    except TraceFormatError as exc:
        assert str(exc).startswith("fuzz.json") and "\n" not in str(exc)
        return None
