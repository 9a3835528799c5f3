"""The explainer on traces recorded for real: every ``scenarios/none`` file and the seed Nones.

Each scenario is recorded once per session. A child process per scenario costs a TensorFlow and
Keras import each (minutes for all of them), so two child processes record half of the
scenarios each, in process, one after the other (``batch_record``); one test also goes through
``tapetui.record.record`` to check that the real child-process recording explains the same way.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from multiprocessing.pool import ThreadPool
from pathlib import Path

import pytest

from tapetui.explain import CallExplanation, Cause, explain
from tapetui.trace import load
from tapetui.trace.model import Trace

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"

NONE_CODES: dict[str, str] = {
    "argmax_accuracy_loss.py": "non_differentiable_op",
    "assign_add_between_variables.py": "stateful_assign",
    "batchnorm_moving_stats.py": "not_trainable",
    "cast_to_int.py": "non_float_dtype",
    "combo_before_tape_and_frozen.py": "outside_tape",
    "combo_numpy_and_unwatched.py": "left_tensorflow",
    "combo_two_broken_paths.py": "outside_tape",
    "constant_not_watched.py": "not_watched",
    "float_in_loss.py": "left_tensorflow",
    "frozen_after_warmup.py": "not_recorded_in_detail",
    "frozen_variable.py": "not_trainable",
    "integer_variable.py": "non_float_dtype",
    "loss_before_tape.py": "outside_tape",
    "numpy_in_forward.py": "left_tensorflow",
    "predict_in_tape.py": "left_tensorflow",
    "rebound_in_loop.py": "variable_rebound",
    "reset_tape.py": "tape_reset",
    "round_in_loss.py": "non_differentiable_op",
    "stop_gradient_target.py": "stop_gradient",
    "stop_recording.py": "stop_recording",
    "two_tapes.py": "other_tape",
    "unbuilt_layer_watch.py": "watch_accessed_off",
    "unused_bias.py": "no_path",
}
"""What a reader of each scenario expects; the explainer never sees these names."""

SEEDS = ["none_cases.py", "keras_watch.py", "int_dtype.py", "non_persistent_reuse.py"]


def _record_batch(paths: list[Path], out_dir: Path) -> None:
    command = [sys.executable, "-m", "tests.explain.batch_record", str(out_dir), *map(str, paths)]
    subprocess.run(command, cwd=ROOT, capture_output=True, check=True, timeout=300)


PLAIN_DRIVER = """
import contextlib, io, json, random, runpy, sys
import numpy as np
import tensorflow as tf
from tensorflow.python.framework.random_seed import DEFAULT_GRAPH_SEED
outputs = {}
for path in sys.argv[1:]:
    random.seed(0); np.random.seed(0); tf.random.set_seed(DEFAULT_GRAPH_SEED)  # tapetui's --seed 0
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        runpy.run_path(path, run_name="__main__")
    outputs[path] = buffer.getvalue()
print(json.dumps(outputs))
"""


def _plain_batch(paths: list[Path]) -> dict[str, str]:
    command = [sys.executable, "-c", PLAIN_DRIVER, *map(str, paths)]
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "MPLBACKEND": "Agg"}
    done = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, check=True, timeout=300
    )
    return {Path(k).name: v for k, v in json.loads(done.stdout).items()}


def _paths() -> list[Path]:
    paths = [SCENARIOS / "none" / name for name in NONE_CODES]
    return paths + [SCENARIOS / name for name in SEEDS if (SCENARIOS / name).exists()]


@pytest.fixture(scope="session")
def plain_printed() -> dict[str, str]:
    """What each scenario prints under plain Python, in the same batches (Keras numbers its
    layers per process) and with the same seeds as the recording."""
    paths = _paths()
    with ThreadPool(2) as pool:
        halves = pool.map(_plain_batch, [paths[0::2], paths[1::2]])
    return {**halves[0], **halves[1]}


@pytest.fixture(scope="session")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Trace]:
    out_dir = tmp_path_factory.mktemp("explain-traces")
    paths = _paths()
    with ThreadPool(2) as pool:
        pool.starmap(_record_batch, [(paths[0::2], out_dir), (paths[1::2], out_dir)])
    return {path.name: load(out_dir / f"{path.name}.json") for path in paths}


def _causes(trace: Trace) -> list[Cause]:
    return [c for e in explain(trace).values() for c in e.results if c is not None]


def _explanations(trace: Trace) -> list[CallExplanation]:
    return list(explain(trace).values())


def test_every_cause_code_has_a_scenario() -> None:
    from tapetui.explain import CAUSE_CODES

    errors = {"persistent_reuse", "no_gradient_registered", "watch_rejected", "exception"}
    errors |= {"no_gradients_provided"}  # scenarios/keras/fit_no_gradients.py (tests/record)
    errors |= {"missing_module"}  # the scenario's import failed (tests/test_missing_modules.py)
    errors |= {"variable_in_function"}  # scenarios/bugs (tests/explain/test_bug_reports_2.py)
    assert set(NONE_CODES.values()) == set(CAUSE_CODES) - errors


@pytest.mark.parametrize("name", sorted(NONE_CODES))
def test_recording_changes_nothing_the_scenario_prints(
    recorded: dict[str, Trace], plain_printed: dict[str, str], name: str
) -> None:
    assert plain_printed[name]
    assert recorded[name].output("stdout") == plain_printed[name]


@pytest.mark.parametrize("name", sorted(NONE_CODES))
def test_scenario_none_gets_its_cause(recorded: dict[str, Trace], name: str) -> None:
    trace = recorded[name]
    assert trace.status == "finished", trace.error
    causes = _causes(trace)
    assert causes, "the scenario should produce at least one None"
    assert {c.code for c in causes} == {NONE_CODES[name]}


@pytest.mark.parametrize("name", sorted(NONE_CODES))
def test_explanations_point_at_real_lines(recorded: dict[str, Trace], name: str) -> None:
    trace = recorded[name]
    lines = next(iter(trace.sources.values())).splitlines()
    for cause in _causes(trace):
        assert cause.evidence_lines, cause
        assert all(0 < n <= len(lines) for n in cause.evidence_lines)
        call_lines = {c.line for c in trace.gradient_calls.values()}
        assert call_lines & set(cause.evidence_lines)


def test_gradients_that_exist_carry_no_cause(recorded: dict[str, Trace]) -> None:
    trace = recorded["frozen_variable.py"]
    (explanation,) = _explanations(trace)
    dw, dbias = explanation.results
    assert dw is None and dbias is not None
    assert "`bias`" in dbias.sentence and "(line 13)" in dbias.sentence


def test_loss_before_tape_names_the_line_and_the_tape(recorded: dict[str, Trace]) -> None:
    (cause,) = _causes(recorded["loss_before_tape.py"])
    assert "`loss = tf.reduce_sum(w * x) ** 2` (line 11)" in cause.sentence
    assert "started recording at line 13" in cause.sentence
    assert cause.evidence_lines == [8, 11, 13, 16]


def test_rebound_weight_names_the_rebinding_line(recorded: dict[str, Trace]) -> None:
    (cause,) = _causes(recorded["rebound_in_loop.py"])
    assert "`w = w - learning_rate * grad` (line 20)" in cause.sentence
    assert "created at line 10" in cause.sentence


def test_combined_causes_list_the_other_one(recorded: dict[str, Trace]) -> None:
    (numpy_first,) = _causes(recorded["combo_numpy_and_unwatched.py"])
    assert numpy_first.others == ["not_watched"]
    (outside_first,) = _causes(recorded["combo_before_tape_and_frozen.py"])
    assert "not_trainable" in outside_first.others
    (two_paths,) = _causes(recorded["combo_two_broken_paths.py"])
    assert two_paths.others == ["left_tensorflow"]


def test_unbuilt_layer_mentions_the_empty_watch_list(recorded: dict[str, Trace]) -> None:
    causes = _causes(recorded["unbuilt_layer_watch.py"])
    assert len(causes) == 2
    for cause in causes:
        assert "`tape.watch(a.variables)` (line 14) watched an empty list" in cause.sentence


def _seed(recorded: dict[str, Trace], name: str) -> Trace:
    if name not in recorded:
        pytest.skip(f"the recorder's seed scenario {name} is not written yet")
    return recorded[name]


def test_seed_y1_outside_the_tape(recorded: dict[str, Trace]) -> None:
    trace = _seed(recorded, "none_cases.py")
    first, second = _explanations(trace)
    (cause,) = first.results
    assert cause is not None and cause.code == "outside_tape"
    assert "`y1 = x * x` (line 12) ran before `tape` started recording at line 14" in cause.sentence
    assert second.results == [None] and second.error is None


def test_seed_keras_watch_empty_list(recorded: dict[str, Trace]) -> None:
    trace = _seed(recorded, "keras_watch.py")
    unbuilt, built = _explanations(trace)
    assert [c.code if c else None for c in unbuilt.results] == ["watch_accessed_off"] * 2
    assert all("watched an empty list" in c.sentence for c in unbuilt.results if c)
    assert built.results == [None, None]
    assert {n.code for n in unbuilt.notes} == {"gradient_inside_context", "non_scalar_target"}


def test_seed_int_dtype(recorded: dict[str, Trace]) -> None:
    trace = _seed(recorded, "int_dtype.py")
    integer, floating = _explanations(trace)
    (cause,) = integer.results
    assert cause is not None and cause.code == "non_float_dtype"
    assert "`x` has dtype int32" in cause.sentence and 12 in cause.evidence_lines
    assert floating.results == [None]


def test_seed_non_persistent_reuse(recorded: dict[str, Trace]) -> None:
    trace = _seed(recorded, "non_persistent_reuse.py")
    first, second = _explanations(trace)
    assert first.error is None and first.results == [None]
    assert second.error is not None and second.error.code == "persistent_reuse"
    assert "line 16" in second.error.sentence and second.error.evidence_lines == [16, 20]


def test_a_child_process_recording_explains_the_same() -> None:
    from tapetui.record.process import record

    trace = record(SCENARIOS / "none" / "loss_before_tape.py", timeout=120)
    (cause,) = _causes(trace)
    assert cause.code == "outside_tape" and cause.evidence_lines == [8, 11, 13, 16]
