"""Tensors written alike share one label, made once; every label is what it is made alone.

``tapetui.trace.shapes`` gives each expression tree no deeper than a label reads a key, so a
loop's step after step is labelled once. With no key for any tree (``DEPTH`` 0) every label is
made from its own tree, as before: both must read the same, tensor for tensor.
"""

from __future__ import annotations

import pytest

from tapetui.trace import shapes
from tapetui.trace.labels import LIMIT, expressions_of
from tests.trace.test_expression_names import Ops


def _loop(steps: int) -> tuple[Ops, list[list[int]]]:
    """``mean(square(w*x - y))`` per step, with a running total over the steps."""
    t = Ops()
    w, x, y = t.variable("w"), t.tensor("x"), t.tensor("y")
    total = t.tensor("total0")
    made: list[list[int]] = []
    for _ in range(steps):
        product = t.op("Mul", t.read(w), x)
        loss = t.op("Mean", t.op("Square", t.op("Sub", product, y)))
        total = t.op("AddV2", total, loss)
        made.append([product, loss, total])
    return t, made


def _labels(t: Ops) -> dict[int, str]:
    t.trace.__dict__.pop("_tapetui_expressions", None)  # a fresh cache of expressions
    return {ref: t.label(ref) for ref in sorted(t.trace.tensors)}


def test_shared_labels_are_the_labels_made_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    t, _ = _loop(60)
    shared = _labels(t)
    monkeypatch.setattr(shapes, "DEPTH", 0)
    assert _labels(t) == shared


def test_each_step_reads_alike_and_the_running_total_is_cut() -> None:
    t, made = _loop(60)
    assert [t.label(step[1]) for step in made[:3]] == ["mean(square(w*x - y))"] * 3
    assert t.label(made[0][2]) == "total0 + mean(square(w*x - y))"
    last = t.label(made[-1][2])
    assert len(last) <= LIMIT and "…" in last
    keys = expressions_of(t.trace)._shapes
    assert keys.key(made[0][1], lambda r: expressions_of(t.trace).node(t.trace, r)) >= 0
    tall = keys.key(made[-1][2], lambda r: expressions_of(t.trace).node(t.trace, r))
    assert tall == shapes.NONE  # 60 sums deep: no key, labelled from its own tree


def test_the_same_shape_over_other_names_reads_otherwise() -> None:
    t = Ops()
    a, b, c = t.tensor("a"), t.tensor("b"), t.tensor("c")
    assert (t.label(t.op("Mul", a, b)), t.label(t.op("Mul", a, c))) == ("a*b", "a*c")
    assert t.label(t.op("Mul", a, b)) == "a*b"
