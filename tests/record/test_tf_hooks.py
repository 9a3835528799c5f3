"""The private TensorFlow APIs the hooks rely on, and recording in-process.

TensorFlow is only ever imported in child interpreters here: other tests check that the test
process itself stays free of it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.record.conftest import ROOT, plain_env

IN_PROCESS = """
import contextlib, io, json
import tensorflow as tf
from tapetui.record import recording, run_scenario, tf_hooks
from tapetui.record.recorder import function_name

facts = {"missing": tf_hooks.missing_private_apis(), "version": tf_hooks.tf_version(),
         "supported": tf_hooks.SUPPORTED_TF}
before = tf.GradientTape.gradient
with recording() as trace:
    x = tf.Variable(3.0)
    with tf.GradientTape() as tape:
        y = x * x
    dy_dx = tape.gradient(y, x)
(call,) = trace.gradient_calls.values()
facts["recording"] = [float(dy_dx), trace.tensors[call.result_ids[0]].data, trace.status,
                      tf.GradientTape.gradient is before]
printed = io.StringIO()
with contextlib.redirect_stdout(printed):
    basic = run_scenario("scenarios/basic.py")
(call,) = basic.gradient_calls.values()
facts["run_scenario"] = [basic.status, basic.tensors[call.result_ids[0]].data,
                         basic.output("stdout"), printed.getvalue()]
facts["function_names"] = [function_name(n) for n in (
    "__inference_square_24", "__forward_square_65", "__inference___backward_square_29_39",
    "MatMul")]
print(json.dumps(facts))
"""


@pytest.fixture(scope="module")
def facts() -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", IN_PROCESS],
        cwd=ROOT,
        env=plain_env(),
        capture_output=True,
        text=True,
        check=True,
        stdin=subprocess.DEVNULL,
    )
    return json.loads(done.stdout.splitlines()[-1])


def test_private_tensorflow_apis_exist(facts: dict[str, Any]) -> None:
    assert facts["missing"] == []
    version = tuple(int(p) for p in facts["version"].split(".")[:2])
    low, high = (tuple(v) for v in facts["supported"])
    assert low <= version < high, f"tapetui's hooks were written for TensorFlow {low}–{high}"


def test_recording_block_fills_a_trace_and_unhooks(facts: dict[str, Any]) -> None:
    assert facts["recording"] == [6.0, 6.0, "finished", True]


def test_run_scenario_in_process(facts: dict[str, Any]) -> None:
    status, gradient, recorded, printed = facts["run_scenario"]
    assert (status, gradient) == ("finished", 6.0)
    assert recorded == printed == "tf.Tensor(6.0, shape=(), dtype=float32)\n"


def test_function_ops_are_named_after_the_function(facts: dict[str, Any]) -> None:
    assert facts["function_names"] == ["square", "square", "square", None]


def test_child_prints_exactly_what_plain_python_prints(tmp_path: Path) -> None:
    scenario = "scenarios/linear_regression.py"
    child = [sys.executable, "-m", "tapetui.record", scenario, "--stream", f"{tmp_path}/t.jsonl"]
    runs = [
        subprocess.Popen(
            cmd,
            cwd=ROOT,
            env=plain_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
        )
        for cmd in (child, [sys.executable, scenario])
    ]
    recorded, plain = (p.communicate()[0] for p in runs)
    assert recorded == plain and plain.count(b"Epoch") == 10


def test_importing_the_parent_side_does_not_import_tensorflow() -> None:
    code = (
        "import sys, tapetui.record, tapetui.record.process;"
        "assert 'tensorflow' not in sys.modules, 'tensorflow imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
