"""Mutated traces never crash the loader: each is either read or refused with a sentence."""

from __future__ import annotations

import copy
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tapetui.trace import TraceFormatError
from tapetui.trace.jsonio import trace_from_dict, trace_to_dict

from .test_jsonio import V1_TRACE, small_trace

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-5, 5)
    | st.floats(allow_nan=False)
    | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=6,
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            found += _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += _paths(child, (*prefix, index))
    return found


def _mutate(data: dict[str, Any], path: tuple[Any, ...], new: Any, delete: bool) -> Any:
    if not path:
        return new
    parent = data
    for key in path[:-1]:
        parent = parent[key]
    if delete:
        del parent[path[-1]]
    else:
        parent[path[-1]] = new
    return data


BASE = trace_to_dict(small_trace())
PATHS = _paths(BASE)
BASE_V1 = json.loads(V1_TRACE.read_text())
"""A real recording in format 1, which is still read."""
PATHS_V1 = _paths(BASE_V1)


def _loaded_or_refused(data: dict[str, Any]) -> None:
    text = json.dumps(data)
    try:
        trace_from_dict(json.loads(text), "fuzz.json")
    except TraceFormatError as exc:
        message = str(exc)
        assert message.startswith("fuzz.json") and "\n" not in message


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(index=st.integers(0, len(PATHS) - 1), new=JSON_VALUES, delete=st.booleans())
def test_any_single_mutation_is_loaded_or_refused_cleanly(
    index: int, new: Any, delete: bool
) -> None:
    _loaded_or_refused(
        _mutate(copy.deepcopy(BASE), PATHS[index], new, delete and len(PATHS[index]) > 0)
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(index=st.integers(0, len(PATHS_V1) - 1), new=JSON_VALUES, delete=st.booleans())
def test_any_single_mutation_of_a_format_1_trace_is_loaded_or_refused_cleanly(
    index: int, new: Any, delete: bool
) -> None:
    path = PATHS_V1[index]
    _loaded_or_refused(_mutate(copy.deepcopy(BASE_V1), path, new, delete and len(path) > 0))
