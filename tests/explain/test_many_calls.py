"""Many calls of one site: each explained as if alone, as if against the whole run's graph, and
as the search that walked each node's every link would; a long loop whose gradients are all None.

The explainer makes the dataflow's links only as far as a call needs them and searches only the
links toward the call's targets (``Dataflow.toward``). The reference here is the way it searched
before: the whole run's graph first, then each node's own forward links, in order, kept when
they lead toward a target. Both must give the same explanations, object for object, and the
same report.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest

from tapetui.explain import CallExplanation, explain, explain_call
from tapetui.explain.dataflow import Dataflow
from tapetui.explain.links import Link, Node
from tapetui.report import render_json
from tapetui.trace import load
from tapetui.trace.model import Trace
from tests.explain.timeline import Timeline

ROOT = Path(__file__).resolve().parents[2]

LOOP = """\
import tensorflow as tf

w = tf.Variable(2.0, name="w")
b = tf.Variable(1.0, name="b")
x = tf.constant([1.0, 2.0, 3.0])
for step in range(6):
    b.assign(b * 0.9)
    loss = tf.reduce_sum((w * x + b) ** 2)
    with tf.GradientTape() as tape:
        if step == 5:
            loss = tf.reduce_sum((w * x + b) ** 2)
    dw, db = tape.gradient(loss, [w, b])
    if dw is not None:
        w.assign_sub(0.01 * dw)
        b.assign_sub(0.01 * db)
"""
"""Five calls of one site whose loss was computed before the tape (line 8), and a last one
whose loss the tape recorded (line 11); ``b`` is assigned in every step, so each read of it
links to every earlier value of it."""


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("many_calls")
    scenario, trace = folder / "loop.py", folder / "loop.json"
    scenario.write_text(LOOP)
    command = [sys.executable, "-m", "tapetui", "record", str(scenario), "-o", str(trace)]
    command += ["--budget-tapes", "0", "--budget-ops", "0"]
    subprocess.run(command, check=True, cwd=ROOT, capture_output=True, timeout=300)
    return trace


def _reference_toward(
    self: Dataflow, targets: Iterable[Node], cost: Callable[[Link], int | None]
) -> tuple[set[Node], dict[Node, list[tuple[Link, int]]]]:
    """The search before: every link of the whole run, each node's forward links in order."""
    useful = self.reaching(targets, lambda link: cost(link) is not None)
    links_from: dict[Node, list[tuple[Link, int]]] = {}
    for node in useful:
        for link in self.forward.get(node, ()):
            step = cost(link) if link.dst in useful else None
            if step is not None:
                links_from.setdefault(node, []).append((link, step))
    return useful, links_from


def _search_as_before(monkeypatch: pytest.MonkeyPatch) -> None:
    """From now on, every walk gets the whole run's links and searches them as before."""
    whole = Dataflow.backward_to

    def everything(self: Dataflow, nodes: set[Node]) -> dict[Node, list[Link]]:
        self.forward  # noqa: B018 - every link of the run, before any walk
        return whole(self, nodes)

    monkeypatch.setattr(Dataflow, "backward_to", everything)
    monkeypatch.setattr(Dataflow, "toward", _reference_toward)


def _each_alone(path: Path) -> dict[int, CallExplanation]:
    """Each call explained on a trace loaded for it alone (its own dataflow, as in the UI)."""
    calls = sorted(load(path).gradient_calls)
    return {call: explain_call(load(path), call) for call in calls}


def test_the_loop_explained_call_by_call_is_the_same_as_all_at_once(recorded: Path) -> None:
    together = explain(load(recorded))
    assert _each_alone(recorded) == together
    assert len(together) == 6
    for call in sorted(together)[:5]:
        causes = together[call].results
        assert [c.code if c else None for c in causes] == ["outside_tape", "outside_tape"]
        assert all(c is not None and 8 in c.evidence_lines for c in causes)
    assert together[max(together)].results == [None, None]  # the last step was recorded


def test_the_loop_explained_as_the_whole_run_search_does(
    recorded: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    now, report = explain(load(recorded)), render_json(load(recorded))
    _search_as_before(monkeypatch)
    assert explain(load(recorded)) == now
    assert render_json(load(recorded)) == report


def test_a_long_loop_explained_as_the_whole_run_search_does(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    now = explain(_all_none_loop(100))
    _search_as_before(monkeypatch)
    assert explain(_all_none_loop(100)) == now


def _all_none_loop(steps: int, assign: bool = True) -> Trace:
    """A loop whose loss is computed before its tape; with ``assign``, ``w`` is also assigned in
    every step, so each read of it links to every earlier value of it."""
    t = Timeline(
        "w = V\nfor _ in range(N):\n    loss = w * w\n    with tape:\n        pass\n"
        "    g(loss, w)\n    w.assign(w * 0.9)\n"
    )
    w = t.variable("w", 1.0, 1)
    for _ in range(steps):
        loss = t.op("Mul", [t.read(w, 3), t.read(w, 3)], 3, "loss", 1.0)
        tape = t.tape(4)
        t.enter(tape, 4)
        t.exit(tape, 5)
        t.gradient(tape, loss, [w], 6, [None])
        if assign:
            decayed = t.op("Mul", [t.read(w, 7), t.constant(None, 0.9, 7)], 7, None, 0.9)
            t.assign(w, decayed, 7)
    return t.trace


def test_a_long_loop_whose_gradients_are_all_none_says_why_for_every_call() -> None:
    explained = explain(_all_none_loop(2000, assign=False))
    assert len(explained) == 2000
    for why in explained.values():
        cause = why.results[0]
        assert cause is not None and cause.code == "outside_tape"
        assert (
            cause.sentence
            == "`loss = w * w` (line 3) ran before `tape` started recording at line 4."
        )
        assert 3 in cause.evidence_lines  # the line that computed the loss
