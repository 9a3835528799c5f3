"""A tensor's value held as an array until its record is written reads back as the nested lists
``capture`` gives: the same numbers, the same strings for NaN and Inf, packed or not."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tapetui.record.values import VALUE_BUDGET, capture, held
from tapetui.trace.model import Tensor
from tapetui.trace.packed import is_packed, unpacked
from tapetui.trace.stream import record_line


def _read_back(array: np.ndarray, data: object) -> object:
    record = Tensor(1, str(array.dtype), list(array.shape), data)
    value = json.loads(record_line("tensor", record))["tensor"]["data"]
    return unpacked(value, list(array.shape)) if is_packed(value) else value


VALUES = [
    np.array([3.3, 4.4, 5.5, 6.71, 6.93], dtype=np.float32),
    np.array([[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]], dtype=np.float32),
    np.array([1.5, np.nan, -np.inf, 2.0, 7.0]),
    np.array([0.5, 0.25], dtype=np.float16),
    np.array([[1, 2], [3, 4]], dtype=np.int32),
    np.array([True, False, True]),
    np.array([1e308, 1e308, 1e308, 1e308]),
]


@pytest.mark.parametrize("array", VALUES, ids=lambda a: f"{a.dtype}{list(a.shape)}")
def test_a_held_value_reads_back_as_its_captured_lists(array: np.ndarray) -> None:
    data, summary = held(array)
    assert summary is None and isinstance(data, np.ndarray)
    assert _read_back(array, data) == _read_back(array, capture(array)[0])


def test_held_values_are_copies() -> None:
    array = np.array([1.0, 2.0, 3.0, 4.0], dtype=np.float32)
    data, _ = held(array)
    array[0] = 9.0
    assert _read_back(array, data) == [1.0, 2.0, 3.0, 4.0]


def test_scalars_and_large_values_are_captured_as_before() -> None:
    assert held(np.array(2.5, dtype=np.float32)) == (2.5, None)
    data, summary = held(np.arange(VALUE_BUDGET + 1, dtype=np.float32))
    assert data is None and summary is not None and summary.size == VALUE_BUDGET + 1
