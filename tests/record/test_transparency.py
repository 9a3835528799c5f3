"""The recorder changes nothing it observes: harder GradientTape behaviours print the same."""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tapetui.record.process import record
from tapetui.trace import Trace

HERE = Path(__file__).resolve().parent / "transparency"
SCENARIOS = sorted(p.name for p in HERE.glob("*.py"))


def _plain(name: str) -> str:
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "MPLBACKEND": "Agg"}
    result = subprocess.run([sys.executable, str(HERE / name)], capture_output=True, text=True,
                            env=env, stdin=subprocess.DEVNULL, timeout=300, check=True)  # fmt: skip
    return result.stdout


@pytest.fixture(scope="module")
def runs() -> dict[str, tuple[str, Trace]]:
    def both(name: str) -> tuple[str, Trace]:
        return _plain(name), record(HERE / name)

    with ThreadPoolExecutor(2) as pool:
        return dict(zip(SCENARIOS, pool.map(both, SCENARIOS), strict=True))


@pytest.mark.parametrize("name", SCENARIOS)
def test_recorded_run_prints_exactly_what_the_plain_run_prints(
    runs: dict[str, tuple[str, Trace]], name: str
) -> None:
    plain, trace = runs[name]
    assert trace.status == "finished", trace.error
    assert trace.output("stdout") == plain
    assert not trace.meta.get("internal_errors")


def test_functions_and_control_flow_have_their_real_gradients(
    runs: dict[str, tuple[str, Trace]],
) -> None:
    plain, _ = runs["functions_and_control_flow.py"]
    assert plain.splitlines() == ["custom 1.0", "function 27.0", "while_loop 27.0", "cond 10.0"]


def test_nested_tapes_and_jacobians_record_every_call(runs: dict[str, tuple[str, Trace]]) -> None:
    plain, trace = runs["nested_and_jacobians.py"]
    assert "second [ 6. 12. 18.]" in plain
    assert "batch_jacobian [[[2.0], [4.0]], [[4.0], [8.0]], [[6.0], [12.0]]]" in plain
    methods = sorted(call.method for call in trace.gradient_calls.values())
    assert methods == ["batch_jacobian", "gradient", "gradient", "jacobian"]
    tapes = sorted(trace.tapes.values(), key=lambda t: t.id)
    assert tapes[1].parent == tapes[0].id


def test_float16_gradient_keeps_its_dtype(runs: dict[str, tuple[str, Trace]]) -> None:
    _, trace = runs["keras_and_float16.py"]
    last = max(trace.gradient_calls.values(), key=lambda c: c.seq)
    result = trace.tensors[last.result_ids[0]]
    assert (result.dtype, result.data) == ("float16", [1.0, 3.0])
