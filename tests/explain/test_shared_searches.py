"""Searches shared by the calls of a loop give each call what a search of its own gives.

After a few calls asking about a source (``reach.SHARE_AFTER``), the explainer answers a search whose cost depends on
the link alone from one search of the whole run (``tapetui.explain.reach``), which keeps a loop
that assigns its variables every step linear. The calls here differ (the read before the tape,
``tf.stop_gradient``, a value through NumPy, a recorded step), the variables are assigned every
step, one through ``tf.round``; each call explained alone on a freshly loaded trace (no search
shared) must read exactly as all explained together, sharing from the first question on.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tapetui.explain import CallExplanation, explain, explain_call, reach
from tapetui.report import render_json, render_text
from tapetui.trace import load

ROOT = Path(__file__).resolve().parents[2]

LOOP = """\
import numpy as np
import tensorflow as tf

w = tf.Variable(2.0, name="w")
b = tf.Variable(1.0, name="b")
c = tf.Variable(0.5, name="c")
x = tf.constant([1.0, 2.0, 3.0])
for step in range(8):
    w_now = tf.identity(w)
    c_now = tf.identity(c)
    with tf.GradientTape() as tape:
        if step % 4 == 0:
            y = w_now * x + b
        elif step % 4 == 1:
            y = tf.stop_gradient(w) * x + b
        elif step % 4 == 2:
            y = tf.constant(w.numpy() * np.array([1.0, 2.0, 3.0], np.float32)) + b
        else:
            y = w * x + b
        loss = tf.reduce_sum((y + c_now) ** 2)
    dw, db, dc = tape.gradient(loss, [w, b, c])
    w.assign_sub(0.01 * w)
    w.assign(tf.round(w * 100.0) / 100.0)
    c.assign_sub(0.001 * c)
"""
"""Eight calls at one site, four kinds for ``w``: read before the tape (line 13), through
``tf.stop_gradient`` (line 15), through NumPy (line 17), recorded (line 19); ``b`` read inside
every tape; ``c`` read before every tape, its history assigned without ``tf.round`` (one code
on the way, where ``w``'s has several). No gradient is used, so no history mixes with another."""


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("shared")
    scenario, trace = folder / "loop.py", folder / "loop.json"
    scenario.write_text(LOOP)
    command = [sys.executable, "-m", "tapetui", "record", str(scenario), "-o", str(trace)]
    command += ["--budget-tapes", "0", "--budget-ops", "0"]
    subprocess.run(command, check=True, cwd=ROOT, capture_output=True, timeout=300)
    return trace


def _each_alone(path: Path) -> dict[int, CallExplanation]:
    """Each call explained on a trace loaded for it alone: its own dataflow, nothing shared."""
    calls = sorted(load(path).gradient_calls)
    return {call: explain_call(load(path), call) for call in calls}


def _codes(explanations: dict[int, CallExplanation]) -> list[list[str | None]]:
    return [[c.code if c else None for c in e.results] for _, e in sorted(explanations.items())]


def test_shared_searches_give_each_call_its_own_answer(
    recorded: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    alone = _each_alone(recorded)
    monkeypatch.setattr(reach, "SHARE_AFTER", 0)  # share from the very first question
    together = explain(load(recorded))
    assert together == alone
    kinds = ["outside_tape", "stop_gradient", "left_tensorflow", None]
    assert [codes[0] for codes in _codes(together)] == kinds * 2
    assert all(codes[1] is None for codes in _codes(together))  # b is read inside every tape
    assert all(codes[2] == "outside_tape" for codes in _codes(together))
    assert [together[call].results[2].others for call in sorted(together)][-1] == [
        "stateful_assign"
    ]


def test_the_calls_differ_in_their_lines_and_other_causes(recorded: Path) -> None:
    together = explain(load(recorded))
    first, stopped, numpy = (together[call].results[0] for call in sorted(together)[4:7])
    assert first is not None and stopped is not None and numpy is not None
    assert first.evidence_lines == [4, 9, 11, 21]  # w, its read, the tape, the call
    assert 15 in stopped.evidence_lines and 17 in numpy.evidence_lines
    # w's history reaches each later call through its assignments and tf.round
    assert {"stateful_assign", "non_differentiable_op"} <= set(first.others)


def test_the_reports_are_the_same_shared_or_not(
    recorded: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reach, "SHARE_AFTER", 0)
    shared_json, shared_text = render_json(load(recorded)), render_text(load(recorded))
    monkeypatch.setattr(reach, "SHARE_AFTER", 10**9)  # never share: a search per call
    assert render_json(load(recorded)) == shared_json
    assert render_text(load(recorded)) == shared_text
    calls = json.loads(shared_json)["gradient_calls"]
    assert [call["results"][0]["cause"] for call in calls][:4] == [
        "outside_tape",
        "stop_gradient",
        "left_tensorflow",
        None,
    ]
