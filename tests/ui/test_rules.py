"""Local partial derivative rules, on plain numbers."""

from __future__ import annotations

import math

import pytest

from tapetui.explain.rules import agrees, local_partial, reduce_like


def test_mul_partial_of_first_input_is_the_second_input() -> None:
    partial = local_partial("Mul", 0, [4.0, 3.0], [12.0], 2.0)
    assert partial is not None
    assert partial.rule == "∂(a·b)/∂a = b"
    assert partial.local == 3.0
    assert partial.product == 6.0


def test_mul_partial_of_second_input_is_the_first_input() -> None:
    partial = local_partial("Mul", 1, [4.0, 3.0], [12.0], 1.0)
    assert partial is not None and partial.local == 4.0 and partial.product == 4.0


def test_x_times_x_gives_two_contributions_that_sum_to_the_derivative() -> None:
    x = 4.0
    parts = [local_partial("Mul", i, [x, x], [x * x], 1.0) for i in (0, 1)]
    assert [p.product for p in parts if p] == [4.0, 4.0]
    assert sum(p.product for p in parts if p) == 8.0


def test_sub_partial_of_second_input_is_minus_one() -> None:
    partial = local_partial("Sub", 1, [5.0, 2.0], [3.0], 2.0)
    assert partial is not None and partial.local == -1.0 and partial.product == -2.0


@pytest.mark.parametrize(
    ("op", "x", "y", "expected"),
    [
        ("Square", 3.0, 9.0, 6.0),
        ("Sin", 0.5, math.sin(0.5), math.cos(0.5)),
        ("Cos", 0.5, math.cos(0.5), -math.sin(0.5)),
        ("Exp", 1.0, math.e, math.e),
        ("Log", 2.0, math.log(2.0), 0.5),
        ("Tanh", 0.3, math.tanh(0.3), 1 - math.tanh(0.3) ** 2),
        ("Sigmoid", 0.0, 0.5, 0.25),
        ("Relu", -1.0, 0.0, 0.0),
        ("Relu", 2.0, 2.0, 1.0),
        ("Neg", 2.0, -2.0, -1.0),
        ("Identity", 2.0, 2.0, 1.0),
    ],
)
def test_unary_rules_give_the_textbook_derivative(
    op: str, x: float, y: float, expected: float
) -> None:
    partial = local_partial(op, 0, [x], [y], 1.0)
    assert partial is not None
    assert partial.local == pytest.approx(expected)


def test_pow_partial_of_base_is_exponent_times_base_to_exponent_minus_one() -> None:
    partial = local_partial("Pow", 0, [3.0, 2.0], [9.0], 1.0)
    assert partial is not None and partial.local == pytest.approx(6.0)


def test_broadcast_scalar_input_receives_the_sum_of_the_upstream() -> None:
    partial = local_partial("AddV2", 1, [[1.0, 2.0, 3.0], 5.0], [[6.0, 7.0, 8.0]], [1.0, 2.0, 3.0])
    assert partial is not None and partial.product == 6.0


def test_mean_spreads_the_upstream_evenly() -> None:
    partial = local_partial("Mean", 0, [[2.0, 4.0, 6.0, 8.0]], [5.0], 1.0)
    assert partial is not None
    assert partial.local == 0.25
    assert partial.product == [0.25, 0.25, 0.25, 0.25]


def test_matmul_gradient_is_upstream_times_transposed_other_input() -> None:
    a, b = [[1.0, 2.0]], [[3.0], [4.0]]
    partial = local_partial("MatMul", 0, [a, b], [[11.0]], [[1.0]])
    assert partial is not None and partial.product == [[3.0, 4.0]]
    partial_b = local_partial("MatMul", 1, [a, b], [[11.0]], [[2.0]])
    assert partial_b is not None and partial_b.product == [[2.0], [4.0]]


def test_unknown_op_has_no_rule() -> None:
    assert local_partial("Einsum", 0, [1.0], [1.0], 1.0) is None


def test_missing_values_give_the_rule_without_a_value() -> None:
    partial = local_partial("Mul", 0, [None, None], [None], None)
    assert (
        partial is not None and partial.rule and partial.local is None and partial.product is None
    )


def test_agrees_compares_with_tolerance_and_reports_unknown() -> None:
    assert agrees(8.0, 8.000001) is True
    assert agrees([1.0, 2.0], [1.0, 2.5]) is False
    assert agrees(None, 8.0) is None


def test_reduce_like_sums_a_leading_batch_axis() -> None:
    assert reduce_like([[1.0, 2.0], [3.0, 4.0]], [0.0, 0.0]) == [4.0, 6.0]
