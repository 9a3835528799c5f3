"""Value capture (no TensorFlow): small values whole, large ones summarised, non-finite encoded."""

from __future__ import annotations

import numpy as np

from tapetui.record.values import VALUE_BUDGET, capture


def test_small_values_are_kept_whole() -> None:
    assert capture(np.float32(8.0)) == (8.0, None)
    assert capture(np.array([[1, 2], [3, 4]], dtype=np.int32)) == ([[1, 2], [3, 4]], None)
    assert capture(np.array([True, False])) == ([True, False], None)


def test_non_finite_floats_are_strings() -> None:
    data, _ = capture(np.array([np.nan, np.inf, -np.inf, 1.5]))
    assert data == ["nan", "inf", "-inf", 1.5]


def test_large_values_become_a_summary() -> None:
    values = np.arange(VALUE_BUDGET + 36, dtype=np.float32).reshape(10, 10)
    values[0, 0] = np.nan
    data, summary = capture(values)
    assert data is None and summary is not None
    assert (summary.size, summary.nan, summary.inf) == (100, 1, 0)
    assert (summary.min, summary.max, summary.mean) == (1.0, 99.0, 50.0)
    assert summary.preview[:3] == ["nan", 1.0, 2.0]
