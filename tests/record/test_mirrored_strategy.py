"""A `MirroredStrategy` step, recorded: each replica runs in a thread of its own, also while the
step's function is traced first (that trace is not the scenario's eager run), and the step's
variables are the strategy's mirrored ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from tapetui.explain import explain_call, explain_error
from tapetui.record import record
from tapetui.trace.labels import label
from tapetui.trace.model import Trace

SCENARIO = Path(__file__).parent / "functions" / "mirrored_strategy_step.py"


@pytest.fixture(scope="module")
def trace() -> Trace:
    return record(SCENARIO, timeout=240)  # once hung: the trace held the lock its replica needed


def test_the_step_runs_to_the_optimizer_error_with_one_tape_in_the_replica_thread(
    trace: Trace,
) -> None:
    assert trace.status == "raised"
    assert trace.error is not None and "No gradients provided" in trace.error.message
    (tape,) = trace.tapes.values()  # the trace's own tape, in its replica thread, is not one
    assert tape.thread is not None and tape.thread != "MainThread"
    assert not trace.meta.get("internal_errors")


def test_mirrored_variables_are_the_layers_variables(trace: Trace) -> None:
    (call,) = trace.gradient_calls.values()
    assert set(call.source_ids) <= set(trace.variables)
    names = [label(trace, ref) for ref in call.source_ids]
    assert names == ["dense/kernel", "dense/bias", "dense_1/kernel", "dense_1/bias"]
    assert [trace.variables[ref].shape for ref in call.source_ids] == [[3, 2], [2], [2, 1], [1]]


def test_the_threshold_is_why_every_gradient_is_none(trace: Trace) -> None:
    (call,) = trace.gradient_calls.values()
    causes = explain_call(trace, call.id).results
    assert [c.code if c else None for c in causes] == ["non_differentiable_op"] * 4
    assert causes[0] is not None and "Greater in `loss = " in causes[0].sentence
    cause = explain_error(trace)
    assert cause is not None and cause.code == "no_gradients_provided"
