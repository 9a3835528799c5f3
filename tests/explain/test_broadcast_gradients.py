"""The chain rule with broadcasting: products summed over the broadcast axes, as TensorFlow does."""

from __future__ import annotations

import pytest

from tapetui.explain.broadcast import broadcast_shape, reduction_axes, sum_to_shape
from tapetui.explain.rules import agrees, local_partial


def test_an_input_of_shape_1_is_summed_over_axis_0_of_a_shape_17_product() -> None:
    assert reduction_axes((1,), (17,)) == (0,)
    reduced = sum_to_shape([1.0, 2.0, 3.0], (1,))
    assert reduced.value == [6.0] and reduced.axes == (0,)


def test_missing_leading_axes_and_size_1_axes_are_both_reduced() -> None:
    assert reduction_axes((3, 1), (2, 3, 4)) == (0, 2)
    assert reduction_axes((), (2, 3)) == (0, 1)
    assert reduction_axes((2, 3), (2, 3)) == ()


def test_a_bias_of_shape_3_receives_the_column_sums() -> None:
    reduced = sum_to_shape([[1.0, 2.0, 3.0], [10.0, 20.0, 30.0]], (3,))
    assert reduced.value == [11.0, 22.0, 33.0] and reduced.axes == (0,)


def test_a_column_of_shape_2_1_receives_the_row_sums_kept_as_a_column() -> None:
    reduced = sum_to_shape([[1.0, 2.0, 3.0], [10.0, 20.0, 30.0]], (2, 1))
    assert reduced.value == [[6.0], [60.0]] and reduced.axes == (1,)


def test_shapes_that_do_not_broadcast_are_refused() -> None:
    with pytest.raises(ValueError):
        broadcast_shape((2,), (3,))


def test_mul_of_w_shape_1_and_x_shape_3_gives_w_the_sum_of_upstream_times_x() -> None:
    w, x, upstream = [2.0], [1.0, 2.0, 3.0], [1.0, 1.0, 2.0]
    partial = local_partial("Mul", 0, [w, x], [[2.0, 4.0, 6.0]], upstream)
    assert partial is not None
    assert partial.unreduced == [1.0, 2.0, 6.0]
    assert partial.axes == (0,)
    assert partial.product == [9.0]
    other = local_partial("Mul", 1, [w, x], [[2.0, 4.0, 6.0]], upstream)
    assert other is not None and other.product == [2.0, 2.0, 4.0] and other.axes == ()


@pytest.mark.parametrize(
    ("op", "index", "expected"),
    [
        ("AddV2", 1, [3.0]),
        ("Add", 1, [3.0]),
        ("Sub", 1, [-3.0]),
        ("RealDiv", 1, [-(1.0 + 2.0) / 4.0]),  # −a/b² with a = [1, 2], b = 2
        ("Pow", 1, [pytest.approx(4.0 * 0.0 + 4.0 * 0.6931471805599453)]),
        ("Maximum", 1, [1.0]),
        ("Minimum", 1, [0.0]),  # a ≤ b everywhere: the ties go to a
        ("SquaredDifference", 1, [-2.0 * ((1.0 - 2.0) + (2.0 - 2.0))]),
        ("BiasAdd", 1, [3.0]),
    ],
)
def test_every_broadcasting_rule_sums_over_the_broadcast_axis(
    op: str, index: int, expected: list[float]
) -> None:
    a, b = [1.0, 2.0], [2.0]
    out = {"Pow": [1.0, 4.0]}.get(op, [0.0, 0.0])
    upstream = [1.0, 2.0] if op in ("AddV2", "Add", "Sub", "BiasAdd") else [1.0, 1.0]
    partial = local_partial(op, index, [a, b], [out], upstream)
    assert partial is not None
    assert partial.axes == (0,)
    assert partial.product == expected


def test_sum_over_axis_1_with_keepdims_spreads_each_row_upstream_over_its_row() -> None:
    x = [[1.0, 2.0], [3.0, 4.0]]
    partial = local_partial(
        "Sum", 0, [x, 1], [[[3.0], [7.0]]], [[1.0], [5.0]], {"keep_dims": "True"}
    )
    assert partial is not None and partial.product == [[1.0, 1.0], [5.0, 5.0]]


def test_mean_over_axis_0_without_keepdims_divides_by_the_rows() -> None:
    x = [[1.0, 2.0], [3.0, 4.0]]
    partial = local_partial("Mean", 0, [x, [0]], [[2.0, 3.0]], [1.0, 4.0])
    assert partial is not None
    assert partial.rule == "∂mean(a)/∂aᵢ = 1/n (n = 2)"
    assert partial.product == [[0.5, 2.0], [0.5, 2.0]]


def test_prod_gives_each_element_the_product_of_the_others() -> None:
    partial = local_partial("Prod", 0, [[2.0, 3.0, 0.0], 0], [0.0], 1.0)
    assert partial is not None and partial.product == [0.0, 0.0, 6.0]


def test_nan_gradients_agree_with_nan_and_different_sizes_do_not() -> None:
    assert agrees(["nan", 1.0], ["nan", 1.0]) is True
    assert agrees([1.0, 1.0], [2.0]) is False


def test_a_sum_that_nearly_cancels_agrees_within_the_rounding_of_its_terms() -> None:
    upstream = [10000.0, -10000.0, 0.25]
    partial = local_partial("AddV2", 1, [[0.0, 0.0, 0.0], [0.0]], [[0.0, 0.0, 0.0]], upstream)
    assert partial is not None and partial.product == [0.25]
    float32_sum = [0.2505]  # what a float32 accumulation may give
    assert agrees(partial.product, float32_sum) is False
    assert agrees(partial.product, float32_sum, scale=[20000.25]) is True


def test_a_negative_base_to_a_fractional_power_is_nan_as_in_tensorflow() -> None:
    partial = local_partial("Pow", 0, [-1.0, 0.5], ["nan"], 1.0)
    assert partial is not None and agrees(partial.product, "nan") is True


def test_a_float32_overflow_to_inf_agrees_with_a_larger_exact_product() -> None:
    assert agrees(1e39, "inf") is True
    assert agrees(1e30, "inf") is False


def test_a_transposes_gradient_is_the_upstream_transposed_back() -> None:
    x = [[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]]  # (1, 2, 3), transposed with perm [2, 0, 1]
    upstream = [[[1.0, 4.0]], [[2.0, 5.0]], [[3.0, 6.0]]]  # (3, 1, 2)
    partial = local_partial("Transpose", 0, [x, [2, 0, 1]], [upstream], upstream)
    assert partial is not None and partial.product == x


def test_a_reshapes_gradient_is_the_upstream_in_the_inputs_shape() -> None:
    partial = local_partial(
        "Reshape", 0, [[[1.0, 2.0], [3.0, 4.0]], [4]], [[0.0] * 4], [1, 2, 3, 4]
    )
    assert partial is not None and partial.product == [[1.0, 2.0], [3.0, 4.0]]
