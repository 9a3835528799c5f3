"""Variables a function's trace made before the trace raised are the scenario's variables: a
Keras model built by the first step of `fit`, whose optimizer then finds no gradient."""

from __future__ import annotations

from pathlib import Path

import pytest

from tapetui.explain import explain_call, explain_error
from tapetui.record import record
from tapetui.trace.labels import label
from tapetui.trace.model import Trace

SCENARIO = Path(__file__).parent / "functions" / "fit_builds_then_raises.py"


@pytest.fixture(scope="module")
def trace() -> Trace:
    return record(SCENARIO, timeout=300)


def test_the_model_built_in_the_failed_trace_has_its_variables(trace: Trace) -> None:
    assert trace.status == "raised"
    assert trace.error is not None and trace.error.type == "ValueError"
    (call,) = trace.gradient_calls.values()
    assert set(call.source_ids) <= set(trace.variables)
    shapes = [trace.variables[ref].shape for ref in call.source_ids]
    assert shapes == [[3, 4], [4], [4, 1], [1]]
    names = [label(trace, ref) for ref in call.source_ids]
    assert names == ["dense/kernel", "dense/bias", "dense_1/kernel", "dense_1/bias"]


def test_no_gradients_provided_names_the_model_variables(trace: Trace) -> None:
    cause = explain_error(trace)
    assert cause is not None and cause.code == "no_gradients_provided"
    assert "`dense/kernel`" in cause.sentence and "tensor #" not in cause.sentence
    (call,) = trace.gradient_calls.values()
    causes = explain_call(trace, call.id).results
    assert [c.code if c else None for c in causes] == ["non_differentiable_op"] * 4
