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


def test_a_summary_keeps_the_norm_of_the_finite_values() -> None:
    values = np.full(VALUE_BUDGET * 4, 0.5, dtype=np.float32)
    values[3] = np.inf
    _, summary = capture(values)
    assert summary is not None and summary.inf == 1
    assert summary.norm == np.sqrt(0.25 * (values.size - 1))


def test_a_norm_too_large_for_float32_is_computed_wider() -> None:
    _, summary = capture(np.full(VALUE_BUDGET + 1, 1e20, dtype=np.float32))
    assert summary is not None and summary.norm is not None
    assert np.isclose(summary.norm, 1e20 * np.sqrt(VALUE_BUDGET + 1), rtol=1e-6)


def test_a_norm_past_float64_is_unknown_and_quiet() -> None:
    _, summary = capture(np.full(VALUE_BUDGET + 1, 1e200))
    assert summary is not None and summary.max == 1e200 and summary.norm is None
