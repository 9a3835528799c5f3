"""The in-process API (``recording()``) keeps what a recording child keeps: the same trace of one
scenario, its source text, and the recorder's own errors, which are counted and shown."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tapetui.record import record
from tapetui.report.build import build_report
from tapetui.report.text import render_text
from tapetui.trace import load
from tapetui.trace.labels import label
from tapetui.trace.model import Trace
from tapetui.ui.status import status_text

from .conftest import ROOT, plain_env

SCENARIO = """\
import tensorflow as tf

w = tf.Variable(2.0, name="weight")
x = tf.constant(3.0)
with tf.GradientTape(persistent=True) as tape:
    tape.watch(x)
    y = w * x
    z = y * y
dz = tape.gradient(z, [w, x])
print("dz", [float(g) for g in dz])
name = tf.constant("text")
unused = tape.gradient(z, name)
"""

DRIVER = """\
import runpy, sys
from tapetui.record import recording
from tapetui.record.recorder import Recorder
from tapetui.trace.jsonio import dumps

if sys.argv[3] == "failing":
    def on_tape_exit(self, gt, *_):
        raise RuntimeError("a deliberate failure in the recorder")
    Recorder.on_tape_exit = on_tape_exit
with recording() as trace:
    runpy.run_path(sys.argv[1], run_name="__main__")
with open(sys.argv[2], "w", encoding="utf-8") as out:
    out.write(dumps(trace))
"""


def _in_process(folder: Path, how: str) -> Trace:
    driver = folder / "drive.py"
    driver.write_text(DRIVER, encoding="utf-8")
    out = folder / f"{how}.json"
    subprocess.run(
        [sys.executable, str(driver), str(folder / "scenario.py"), str(out), how],
        cwd=ROOT,
        env={**plain_env(), "PYTHONPATH": str(ROOT)},
        capture_output=True,
        stdin=subprocess.DEVNULL,
        timeout=300,
        check=True,
    )
    return load(out)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("inprocess")
    (folder / "scenario.py").write_text(SCENARIO, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def both(folder: Path) -> tuple[Trace, Trace]:
    return record(folder / "scenario.py", timeout=300), _in_process(folder, "plain")


def _facts(trace: Trace, scenario: str) -> dict[str, Any]:
    """Everything a trace says about the scenario, ids replaced by what they name."""

    def value(ref: int | None) -> Any:
        tensor = trace.tensors.get(ref) if ref is not None else None
        return None if tensor is None else [tensor.dtype, tensor.shape, tensor.data]

    return {
        "status": (trace.status, trace.exit_code),
        "notes": {k: v for k, v in trace.meta.items() if k not in ("scenario",)},
        "source": trace.sources.get(scenario),
        "output": trace.output(),
        "tapes": [
            (t.line, t.persistent, t.label, [label(trace, r) for r in t.watched])
            for t in trace.tapes.values()
        ],
        "calls": [
            (c.line, [label(trace, s) for s in c.source_ids], [value(r) for r in c.result_ids])
            for c in sorted(trace.gradient_calls.values(), key=lambda c: c.seq)
        ],
        "events": [(type(e).__name__, e.file, e.line) for e in trace.events],
        "named": sorted(
            (t.name, t.dtype, t.shape, str(t.data)) for t in trace.tensors.values() if t.name
        ),
        "variables": [(v.name, v.pyname, v.data) for v in trace.variables.values()],
    }


def test_recording_in_process_gives_the_childs_trace(
    both: tuple[Trace, Trace], folder: Path
) -> None:
    child, here = both
    scenario = str(folder / "scenario.py")
    assert _facts(here, scenario) == _facts(child, scenario)


def test_the_in_process_trace_holds_the_scenarios_source(
    both: tuple[Trace, Trace], folder: Path
) -> None:
    _, here = both
    assert here.sources[str(folder / "scenario.py")] == SCENARIO
    assert here.sources[str(folder / "drive.py")] == DRIVER


@pytest.fixture(scope="module")
def failing(folder: Path) -> Trace:
    return _in_process(folder, "failing")


def test_a_failing_hook_never_stops_the_scenario(failing: Trace) -> None:
    assert failing.status == "finished" and failing.output("stdout") == "dz [36.0, 24.0]\n"
    assert len(failing.gradient_calls) == 2


def test_the_recorders_own_error_reaches_the_trace(failing: Trace) -> None:
    assert failing.meta["internal_errors"] == ["RuntimeError: a deliberate failure in the recorder"]


def test_the_recorders_own_error_is_reported(failing: Trace) -> None:
    report = build_report(failing)
    assert report["internal_errors"] == ["RuntimeError: a deliberate failure in the recorder"]
    text = render_text(failing)
    assert "tapetui's recorder met 1 error of its own" in text
    assert "  RuntimeError: a deliberate failure in the recorder\n" in text
    assert json.loads(json.dumps(report))["internal_errors"] == report["internal_errors"]


def test_the_status_line_counts_the_recorders_errors(
    failing: Trace, both: tuple[Trace, Trace]
) -> None:
    sentence, _ = status_text(failing)
    assert sentence.endswith(" · 1 recorder error (tapetui report lists them)")
    assert "recorder error" not in status_text(both[0])[0]


DIES_AFTER_A_RECORDER_ERROR = """\
import os
import tensorflow as tf
from tapetui.record.tapes import TapeBook

def exited(self, gt, where):
    raise RuntimeError("a deliberate failure in the recorder")

TapeBook.exited = exited  # the recorder calls it at each tape's exit
x = tf.constant(2.0)
with tf.GradientTape() as tape:
    tape.watch(x)
    y = x * x
print(float(tape.gradient(y, x)), flush=True)
os._exit(3)
"""


def test_the_recorders_own_error_reaches_the_trace_of_a_run_that_died(tmp_path: Path) -> None:
    path = tmp_path / "dies.py"
    path.write_text(DIES_AFTER_A_RECORDER_ERROR, encoding="utf-8")
    trace = record(path, timeout=300)
    assert (trace.status, trace.exit_code, trace.output("stdout")) == ("died", 3, "4.0\n")
    assert trace.meta["internal_errors"] == ["RuntimeError: a deliberate failure in the recorder"]
