"""Every seed scenario under the recorder: same output as plain Python, same gradient values."""

from __future__ import annotations

import math
import re
from typing import Any

import pytest

from tapetui.trace.model import Trace
from tests.record.conftest import SCENARIOS, Run

NUMBER = re.compile(r"-?\d+\.\d*(?:e[-+]?\d+)?")
NOISE = re.compile(r"shape=\([^)]*\)|dtype=\w+")


def printed_numbers(text: str) -> list[float]:
    return [float(n) for n in NUMBER.findall(NOISE.sub("", text))]


def flat(data: Any) -> list[float]:
    if isinstance(data, list):
        return [x for d in data for x in flat(d)]
    return [float(data)]


def gradient_results(trace: Trace) -> list[Any]:
    """Every gradient result value (flattened lists of floats, or None), in call order."""
    results = []
    for call in trace.gradient_calls.values():
        for ref in call.result_ids:
            results.append(None if ref is None else flat(trace.tensors[ref].data))
    return results


def close_to_any(value: float, candidates: list[float]) -> bool:
    return any(math.isclose(value, c, rel_tol=1e-4, abs_tol=1e-4) for c in candidates)


@pytest.mark.parametrize("name", SCENARIOS)
def test_scenario_finishes(runs: dict[str, Run], name: str) -> None:
    trace = runs[name].trace
    assert (trace.status, trace.exit_code, trace.error) == ("finished", 0, None)


@pytest.mark.parametrize("name", SCENARIOS)
def test_printed_output_is_what_plain_python_prints(runs: dict[str, Run], name: str) -> None:
    run = runs[name]
    assert run.plain_stdout
    assert run.trace.output("stdout") == run.plain_stdout


@pytest.mark.parametrize("name", sorted(set(SCENARIOS) - {"linear_regression.py"}))
def test_recorded_gradients_are_the_printed_ones(runs: dict[str, Run], name: str) -> None:
    run = runs[name]
    printed = printed_numbers(run.plain_stdout)
    results = gradient_results(run.trace)
    recorded = [x for r in results if r is not None for x in r]
    assert recorded
    assert all(close_to_any(x, printed) for x in recorded), (recorded, printed)
    assert all(close_to_any(x, recorded) for x in printed), (recorded, printed)
    assert results.count(None) == run.plain_stdout.count("None")


def test_training_loop_values_follow_from_recorded_assignments(runs: dict[str, Run]) -> None:
    """W and b printed every 10 epochs equal their initial values minus the recorded updates."""
    run = runs["linear_regression.py"]
    trace = run.trace
    assigns = [e for e in trace.events if e.kind == "assign"]
    by_name = {v.pyname: v for v in trace.variables.values()}
    w, b = by_name["W"], by_name["b"]
    assert len(trace.gradient_calls) == 100
    assert [e.method for e in assigns] == ["assign_sub"] * 200
    values = {w.id: flat(w.data)[0], b.id: flat(b.data)[0]}
    trajectory = []
    for epoch, (dw, db) in enumerate(zip(assigns[::2], assigns[1::2], strict=True), start=1):
        values[dw.variable] -= flat(trace.tensors[dw.value].data)[0]
        values[db.variable] -= flat(trace.tensors[db.value].data)[0]
        if epoch % 10 == 0:
            trajectory += [values[w.id], values[b.id]]
    printed = re.findall(r"W: (-?[\d.]+), b: (-?[\d.]+)", run.plain_stdout)
    assert [float(x) for pair in printed for x in pair] == pytest.approx(trajectory, abs=1e-4)


@pytest.mark.parametrize("name", SCENARIOS)
def test_tape_membership_agrees_with_tensorflow(runs: dict[str, Run], name: str) -> None:
    """Our per-tape bookkeeping said "recorded" exactly when TF's should_record_backprop did."""
    meta = runs[name].trace.meta
    assert meta.get("tf_disagreements", 0) == 0
    assert not meta.get("internal_errors")


@pytest.mark.parametrize("name", SCENARIOS)
def test_scenario_has_a_one_sentence_summary(runs: dict[str, Run], name: str) -> None:
    trace = runs[name].trace
    source = trace.sources[trace.scenario]
    first = source.split('"""')[1].strip().splitlines()[0]
    assert first.endswith(".") and len(first) <= 110
