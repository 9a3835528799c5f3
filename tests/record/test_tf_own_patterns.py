"""Patterns from TensorFlow's own gradient tests: recorded, each prints and ends as it does plainly.

Each scenario in ``tf_own/`` reproduces one thing a TensorFlow test file checks that the recorder
once changed (``compat/tf_tests`` runs the real test files); it is run plainly and recorded once
for the module, with the default budget.
"""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tapetui.record.process import record
from tapetui.trace import Trace

HERE = Path(__file__).resolve().parent / "tf_own"
SCENARIOS = sorted(p.name for p in HERE.glob("*.py"))


def _plain(name: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "MPLBACKEND": "Agg"}
    return subprocess.run([sys.executable, name], cwd=HERE, capture_output=True, text=True,
                          env=env, stdin=subprocess.DEVNULL, timeout=300)  # fmt: skip


@pytest.fixture(scope="module")
def runs() -> dict[str, tuple[subprocess.CompletedProcess[str], Trace]]:
    def both(name: str) -> tuple[subprocess.CompletedProcess[str], Trace]:
        return _plain(name), record(HERE / name)

    with ThreadPoolExecutor(2) as pool:
        return dict(zip(SCENARIOS, pool.map(both, SCENARIOS), strict=True))


@pytest.mark.parametrize("name", SCENARIOS)
def test_recorded_run_prints_and_exits_as_the_plain_run_does(
    runs: dict[str, tuple[subprocess.CompletedProcess[str], Trace]], name: str
) -> None:
    plain, trace = runs[name]
    assert trace.output("stdout") == plain.stdout
    assert (trace.exit_code or 0) == plain.returncode, trace.error
    assert trace.status in ("finished", "exited", "raised")
    assert not trace.meta.get("internal_errors")


def test_a_gather_after_a_function_gives_a_dense_gradient(
    runs: dict[str, tuple[subprocess.CompletedProcess[str], Trace]],
) -> None:
    plain, trace = runs["gather_after_function.py"]
    assert plain.stdout.splitlines() == ["type EagerTensor", "grad [1. 0. 1.]"]
    (call,) = trace.gradient_calls.values()
    assert call.error is None


def test_tf_gradients_inside_a_function_runs_that_function_compiled(
    runs: dict[str, tuple[subprocess.CompletedProcess[str], Trace]],
) -> None:
    plain, trace = runs["symbolic_gradients_in_function.py"]
    assert plain.stdout.splitlines() == ["second -0.4794", "third -1.7552"]
    assert trace.meta["graph_gradient_functions"] == ["second_derivative"]


def test_a_function_traced_on_every_call_warns_as_it_does_plainly(
    runs: dict[str, tuple[subprocess.CompletedProcess[str], Trace]],
) -> None:
    plain, trace = runs["retracing_warning.py"]
    assert plain.stdout.startswith("logged: 5 out of the last 5 calls to <function square")
    assert trace.output("stdout").count("out of the last") == plain.stdout.count("out of the") == 2


def test_a_traceback_the_scenario_prints_has_no_frame_of_the_recorder(
    runs: dict[str, tuple[subprocess.CompletedProcess[str], Trace]],
) -> None:
    plain, trace = runs["printed_traceback.py"]
    assert plain.stdout == "frames ['<module>', 'error_handler', 'tf__flatten_to_three']\n"
    assert trace.output("stdout") == plain.stdout


def test_a_warning_tensorflow_logs_five_times_a_line_counts_the_scenarios_lines(
    runs: dict[str, tuple[subprocess.CompletedProcess[str], Trace]],
) -> None:
    plain, trace = runs["int_watch_warning.py"]
    assert plain.stdout.count("must be floating") == 6  # five from the loop, one from the end
    assert trace.output("stdout") == plain.stdout


def test_a_step_a_mirrored_strategy_runs_in_replica_threads_is_recorded_in_each_thread(
    runs: dict[str, tuple[subprocess.CompletedProcess[str], Trace]],
) -> None:
    plain, trace = runs["mirrored_step.py"]
    assert plain.stdout.splitlines() == ["grad 8.0", "grad 24.0", "eager 8.0"]
    assert trace.status == "finished"  # the trace no longer waits for its own replica threads
    calls = sorted(trace.gradient_calls.values(), key=lambda c: c.seq)
    assert [trace.tensors[c.result_ids[0]].data for c in calls] == [4.0, 4.0, 12.0, 12.0]
    assert all(c.thread is not None and c.line == 22 for c in calls)


def test_only_the_strategys_eager_run_warns_as_it_does_plainly(
    runs: dict[str, tuple[subprocess.CompletedProcess[str], Trace]],
) -> None:
    plain, trace = runs["mirrored_step.py"]
    warning = "Using MirroredStrategy eagerly has significant overhead"
    assert plain.stderr.count(warning) == 1  # the lambda's run; the compiled step's never
    assert trace.output("stderr").count(warning) == 1


def test_a_dataset_map_shows_no_warning_about_running_functions_eagerly(
    runs: dict[str, tuple[subprocess.CompletedProcess[str], Trace]],
) -> None:
    plain, trace = runs["dataset_map_warning.py"]
    assert plain.stdout.splitlines()[1:] == ["values [0, 2, 4]", "warnings []"]
    assert trace.output("stdout") == plain.stdout  # the same warning filters too


def test_a_warning_only_the_failed_calls_eager_run_reached_is_shown_later_as_plainly(
    runs: dict[str, tuple[subprocess.CompletedProcess[str], Trace]],
) -> None:
    plain, trace = runs["warning_after_failed_trace.py"]
    assert plain.stdout.splitlines() == ["raised AttributeError", "done"]
    shown = "warning_after_failed_trace.py:13: UserWarning: noisy was called"
    assert plain.stderr.count(shown) == 1
    assert trace.output("stderr").count(shown) == 1


def test_a_keras_variable_given_to_a_custom_gradient_in_a_function_is_read_as_compiled(
    runs: dict[str, tuple[subprocess.CompletedProcess[str], Trace]],
) -> None:
    plain, trace = runs["keras_variable_custom_gradient.py"]
    assert plain.stdout.splitlines() == ["grads [3.0, 2.0]", "later 3.0 11.0"]
    calls = sorted(trace.gradient_calls.values(), key=lambda c: c.seq)
    assert len(calls) == 13 and all(c.error is None for c in calls)  # past the budget too
    assert [trace.tensors[i].data for i in calls[0].result_ids] == [3.0, 2.0]


def test_what_a_function_run_compiled_for_tf_gradients_prints_while_traced_is_shown(
    runs: dict[str, tuple[subprocess.CompletedProcess[str], Trace]],
) -> None:
    plain, trace = runs["print_while_tracing_graph_gradients.py"]
    assert plain.stdout.count("tracing slope") == 2  # one trace per input shape
    assert trace.output("stdout") == plain.stdout
    assert trace.meta["graph_gradient_functions"] == ["slope"]


def test_a_function_reading_graph_only_attributes_while_traced_runs_compiled(
    runs: dict[str, tuple[subprocess.CompletedProcess[str], Trace]],
) -> None:
    plain, trace = runs["graph_attributes_in_function.py"]
    assert plain.stdout.splitlines()[0] == "traced Mul mul:0 0"  # traced once, then cached
    assert trace.output("stdout") == plain.stdout
    assert trace.meta["graph_only_functions"] == ["double"]
    (call,) = trace.gradient_calls.values()
    assert [trace.tensors[i].data for i in call.result_ids] == [24.0]


def test_a_warning_caught_around_a_traced_call_is_caught_once_as_compiled(
    runs: dict[str, tuple[subprocess.CompletedProcess[str], Trace]],
) -> None:
    plain, trace = runs["warning_caught_while_traced.py"]
    assert plain.stdout.splitlines()[-1] == "caught ['halving a tensor', 'about to fail']"
    assert trace.output("stdout") == plain.stdout
