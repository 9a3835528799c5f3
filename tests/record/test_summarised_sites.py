"""A summarised step's tapes and calls are placed and named by what the scenario does at that
step: what is known of a call site from an earlier step is never served once it has changed (a
name rebound, a tape watching another variable, two calls on one line, a helper called from two
lines, a file first met late)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tapetui.record import record
from tapetui.record.budget import Budget
from tapetui.trace.labels import label
from tapetui.trace.model import GradientCall, Trace

SCRIPT = """\
import tensorflow as tf
a = tf.Variable(2.0, name="a")
b = tf.Variable(3.0, name="b")
helpers = {}
exec(compile("def grad(tape, y, x):\\n    return tape.gradient(y, x)\\n", "<helper>", "exec"), helpers)


def in_function(k):
    with tf.GradientTape() as tape:
        inner = a * float(k)
    return tape.gradient(inner, a)


for step in range(6):
    with tf.GradientTape() as tape:
        first = a * a
        second = a * 3.0
    picked = tape.gradient(first if step < 3 else second, a)
    with tf.GradientTape() as switching:
        y = (a if step < 3 else b) * 2.0
    switched = switching.gradient(y, [a, b])
    with tf.GradientTape() as t1, tf.GradientTape() as t2:
        l1, l2 = a * 5.0, b * 7.0
    g1, g2 = t1.gradient(l1, a), t2.gradient(l2, b)
    with tf.GradientTape() as ht:
        hy = a * 4.0
    if step % 2:
        odd = helpers["grad"](ht, hy, a)
    else:
        even = helpers["grad"](ht, hy, a)
    fg = in_function(step)
    if step == 4:
        import late_helper
        late_helper.run(b)
    print(step, float(picked), [None if g is None else float(g) for g in switched])
"""

LATE_HELPER = """\
import tensorflow as tf


def run(v):
    with tf.GradientTape() as tape:
        late = v * 11.0
    return tape.gradient(late, v)
"""


def _line(fragment: str) -> int:
    (line,) = [n for n, text in enumerate(SCRIPT.splitlines(), start=1) if fragment in text]
    return line


@pytest.fixture(scope="module")
def traces(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Trace]:
    folder = tmp_path_factory.mktemp("sites")
    script = folder / "sites.py"
    script.write_text(SCRIPT, encoding="utf-8")
    (folder / "late_helper.py").write_text(LATE_HELPER, encoding="utf-8")
    with ThreadPoolExecutor(2) as pool:
        detailed = pool.submit(record, script, timeout=300, budget=Budget(tapes=0, ops=0))
        summarised = pool.submit(record, script, timeout=300, budget=Budget(tapes=1))
        return {"detailed": detailed.result(), "summarised": summarised.result()}


def _calls(trace: Trace) -> list[GradientCall]:
    return sorted(trace.gradient_calls.values(), key=lambda c: c.seq)


def _described(trace: Trace) -> list[tuple[Any, ...]]:
    return [
        (
            c.file,
            c.line,
            [label(trace, r) for r in c.target_ids],
            [label(trace, r) for r in c.source_ids],
            [None if r is None else trace.tensors[r].data for r in c.result_ids],
        )
        for c in _calls(trace)
    ]


def _at(trace: Trace, line: int) -> list[GradientCall]:
    return [c for c in _calls(trace) if c.line == line and _in_script(c)]


def _in_script(call: GradientCall) -> bool:
    return (call.file or "").endswith("/sites.py")


def test_the_run_is_summarised_from_its_second_tape(traces: dict[str, Trace]) -> None:
    trace = traces["summarised"]
    assert trace.status == "finished", trace.error
    assert trace.meta["summarised"]["tapes_in_detail"] == 1
    assert len(_calls(trace)) == 6 * 6 + 1


def test_a_call_site_names_what_it_is_passed_at_each_step(traces: dict[str, Trace]) -> None:
    trace = traces["summarised"]
    calls = _at(trace, _line("picked = tape.gradient"))
    assert [label(trace, c.target_ids[0]) for c in calls] == ["first"] * 3 + ["second"] * 3
    assert [trace.tensors[c.result_ids[0]].data for c in calls] == [4.0] * 3 + [3.0] * 3


def test_a_tape_watching_another_variable_later_says_so(traces: dict[str, Trace]) -> None:
    trace = traces["summarised"]
    line = _line("with tf.GradientTape() as switching")
    tapes = sorted((t for t in trace.tapes.values() if t.line == line), key=lambda t: t.id)
    assert [[label(trace, r) for r in t.watched] for t in tapes] == [["a"]] * 3 + [["b"]] * 3
    results = [
        [None if r is None else trace.tensors[r].data for r in c.result_ids]
        for c in _at(trace, _line("switched = switching.gradient"))
    ]
    assert results == [[2.0, None]] * 3 + [[None, 2.0]] * 3


def test_two_calls_on_one_line_are_two_sites(traces: dict[str, Trace]) -> None:
    trace = traces["summarised"]
    calls = _at(trace, _line("g1, g2 = "))
    assert [(label(trace, c.target_ids[0]), label(trace, c.source_ids[0])) for c in calls] == [
        ("l1", "a"),
        ("l2", "b"),
    ] * 6
    assert [trace.tensors[c.result_ids[0]].data for c in calls] == [5.0, 7.0] * 6
    line = _line("as t1, tf.GradientTape() as t2")
    tapes = sorted((t for t in trace.tapes.values() if t.line == line), key=lambda t: t.id)
    assert [(t.parent is not None, t.label) for t in tapes[:2]] == [(False, None), (True, None)]
    assert len(tapes) == 12


def test_a_helper_outside_the_scenario_is_placed_where_it_was_called(
    traces: dict[str, Trace],
) -> None:
    trace = traces["summarised"]
    odd, even = _line('odd = helpers["grad"]'), _line('even = helpers["grad"]')
    helper_lines = [c.line for c in _calls(trace) if _in_script(c) and c.line in (odd, even)]
    assert helper_lines == [even, odd] * 3


def test_a_function_frame_and_a_file_met_late_are_recorded(traces: dict[str, Trace]) -> None:
    trace = traces["summarised"]
    inner = _at(trace, _line("return tape.gradient(inner, a)"))
    assert [label(trace, c.target_ids[0]) for c in inner] == ["inner"] * 6
    assert [trace.tensors[c.result_ids[0]].data for c in inner] == [float(k) for k in range(6)]
    late = [c for c in _calls(trace) if not _in_script(c)]
    assert [
        ((c.file or "").rsplit("/", 1)[-1], c.line, label(trace, c.target_ids[0])) for c in late
    ] == [("late_helper.py", 7, "late")]
    assert any(name.endswith("late_helper.py") for name in trace.sources)


def test_summarised_calls_are_the_detailed_ones(traces: dict[str, Trace]) -> None:
    assert _described(traces["summarised"]) == _described(traces["detailed"])
