"""A large value's summary in a summarised step's row (``summary_row``): the statistics a user
reads for it, the same whichever way they are computed."""

from __future__ import annotations

import math

import numpy as np

from tapetui.record.values import summary_row


def test_a_summary_has_the_values_own_statistics() -> None:
    x = np.random.default_rng(3).standard_normal(300).astype(np.float32)
    size, preview, lo, hi, mean, nan, inf, norm = summary_row(x, 4)
    assert (size, nan, inf) == (300, 0, 0)
    assert preview == [float(v) for v in x[:4]]
    assert (lo, hi) == (float(x.min()), float(x.max()))
    assert mean == float(np.add.reduce(x, dtype=np.float64)) / 300
    assert norm == math.sqrt(float(np.dot(x, x)))


def test_a_sum_of_negative_zeros_has_a_mean_of_zero() -> None:
    row = summary_row(np.full(100, -0.0, np.float32), 2)
    assert row[4] == 0.0 and math.copysign(1.0, row[4]) == 1.0
    assert row[2:4] == [-0.0, -0.0] and row[7] == 0.0


def test_nans_and_infinities_are_counted_apart_from_the_rest() -> None:
    x = np.array([np.nan, np.inf, 1.0, -2.0, -np.inf, np.nan], np.float32)
    _, _, lo, hi, mean, nan, inf, norm = summary_row(x, 2)
    assert (lo, hi, mean, nan, inf) == (-2.0, 1.0, -0.5, 2, 2)
    assert norm == math.sqrt(5.0)


def test_integers_and_bools_are_summarised_as_numbers() -> None:
    ints = np.arange(-50, 50, dtype=np.int32)
    assert summary_row(ints, 3)[:5] == [100, [-50, -49, -48], -50.0, 49.0, -0.5]
    flags = np.array([True, False, True, True])
    assert summary_row(flags, 2)[2:7] == [0.0, 1.0, 0.75, 0, 0]
