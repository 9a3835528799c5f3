"""A function whose trace builds a backward graph with TensorFlow's own symbolic gradients (a
``tf.while_loop``'s, a ``tf.cond``'s) still runs eagerly: its tapes and gradient calls are
recorded, with the values TensorFlow gives. Only the scenario's own ``tf.gradients`` keeps a
function compiled (``test_tf_own_patterns``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tapetui.record.process import record
from tapetui.trace import Trace

SCENARIO = Path(__file__).resolve().parent / "tf_own" / "while_loop_gradient_in_function.py"


@pytest.fixture(scope="module")
def trace() -> Trace:
    return record(SCENARIO)


def test_the_functions_run_eagerly_not_compiled(trace: Trace) -> None:
    assert trace.meta.get("graph_gradient_functions") is None
    assert sorted(trace.meta["eager_functions"]) == ["cond_step", "loop_step"]


def test_each_functions_gradient_call_is_recorded_with_tensorflows_value(trace: Trace) -> None:
    calls = sorted(trace.gradient_calls.values(), key=lambda c: c.line or 0)
    assert [c.line for c in calls] == [14, 21]
    values = [trace.tensors[c.result_ids[0]].data for c in calls]
    assert values == [pytest.approx(13.5), pytest.approx(6.0)]
    assert trace.output("stdout") == "loop 13.5\ncond 6.0\n"
