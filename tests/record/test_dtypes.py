"""Every dtype and every kind of tensor is recorded as TensorFlow had it: strings, bools, complex
numbers, a SparseTensor's and a RaggedTensor's components, IndexedSlices gradients."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tapetui.record import record
from tapetui.record.budget import Budget
from tapetui.trace.events import WatchEvent
from tapetui.trace.model import Trace

from .conftest import plain_env

KINDS = """\
import json
import tensorflow as tf

def show(name, value):
    print(json.dumps({name: value}))

word = tf.constant("héllo")
words = tf.constant(["a", "bc"])
x = tf.constant(3.0)
with tf.GradientTape() as text_tape:
    text_tape.watch(word)
    text_tape.watch(x)
    y = x * x
dy = text_tape.gradient(y, x)
show("dy", float(dy))

flags = tf.logical_and(tf.constant([True, False]), tf.constant([True, True]))
show("flags", flags.numpy().tolist())

c = tf.constant([1 + 2j, 3 - 1j], dtype=tf.complex64)
with tf.GradientTape() as complex_tape:
    complex_tape.watch(c)
    z = tf.reduce_sum(c * c)
dc = complex_tape.gradient(z, c)
show("dc", [[float(v.real), float(v.imag)] for v in dc.numpy()])

sp = tf.SparseTensor(indices=[[0, 0], [1, 2]], values=[1.0, 2.0], dense_shape=[2, 3])
with tf.GradientTape() as sparse_tape:
    sparse_tape.watch(sp)
    total = tf.sparse.reduce_sum(sp) * 2.0
dsp = sparse_tape.gradient(total, sp.values)
show("dsp", dsp.numpy().tolist())

rg = tf.ragged.constant([[1.0, 2.0], [3.0]])
with tf.GradientTape() as ragged_tape:
    ragged_tape.watch(rg)
    r = tf.reduce_sum(rg * rg)
drg = ragged_tape.gradient(r, rg.flat_values)
show("drg", drg.numpy().tolist())

table = tf.Variable([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
with tf.GradientTape() as gather_tape:
    rows = tf.gather(table, [0, 2, 0])
    loss = tf.reduce_sum(rows * 3.0)
dtable = gather_tape.gradient(loss, table)
show("dtable_kind", type(dtable).__name__)
show("dtable", tf.convert_to_tensor(dtable).numpy().tolist())
"""


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("kinds") / "kinds.py"
    path.write_text(KINDS, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def plain(scenario: Path) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, str(scenario)],
        env=plain_env(),
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=300,
        check=True,
    )
    return {k: v for line in done.stdout.splitlines() for k, v in json.loads(line).items()}


@pytest.fixture(scope="module")
def trace(scenario: Path) -> Trace:
    return record(scenario, budget=Budget(tapes=0, ops=0), timeout=300)


@pytest.fixture(scope="module")
def summarised(scenario: Path) -> Trace:
    return record(scenario, budget=Budget(tapes=1), timeout=300)


def _tensor(trace: Trace, name: str) -> object:
    (tensor,) = [t for t in trace.tensors.values() if t.name == name]
    return tensor


def _result(trace: Trace, line_text: str) -> object:
    line = KINDS.splitlines().index(line_text) + 1
    (call,) = [c for c in trace.gradient_calls.values() if c.line == line]
    assert call.error is None
    return trace.tensors[call.result_ids[0]]


def _watched(trace: Trace, tape_label: str) -> dict[str, tuple[str, str | None]]:
    (tape,) = [t for t in trace.tapes.values() if t.label == tape_label]
    return {
        item.label: (item.status, item.reason)
        for event in trace.events
        if isinstance(event, WatchEvent) and event.tape == tape.id and event.explicit
        for item in event.items
    }


def test_the_recorder_meets_no_error_of_its_own(trace: Trace, summarised: Trace) -> None:
    assert trace.status == summarised.status == "finished"
    assert "internal_errors" not in trace.meta and "internal_errors" not in summarised.meta


def test_string_tensors_are_recorded_as_text(trace: Trace) -> None:
    assert (_tensor(trace, "word").dtype, _tensor(trace, "word").data) == ("string", "héllo")
    assert _tensor(trace, "words").data == ["a", "bc"]


def test_a_tape_watching_a_string_keeps_its_watches_and_gradient(
    trace: Trace, plain: dict[str, object]
) -> None:
    watched = _watched(trace, "text_tape")
    assert watched["word"] == ("ignored", "string is not a floating-point dtype")
    assert watched["x"] == ("watched", None)
    assert _result(trace, "dy = text_tape.gradient(y, x)").data == plain["dy"] == 6.0


def test_bool_tensors_are_recorded(trace: Trace, plain: dict[str, object]) -> None:
    assert _tensor(trace, "flags").data == plain["flags"] == [True, False]


def test_complex_gradients_are_real_and_imaginary_pairs(
    trace: Trace, plain: dict[str, object]
) -> None:
    result = _result(trace, "dc = complex_tape.gradient(z, c)")
    assert (result.dtype, result.shape) == ("complex64", [2])
    assert result.data == plain["dc"] == [[2.0, -4.0], [6.0, 2.0]]


def test_watching_a_sparse_tensor_watches_its_values(trace: Trace) -> None:
    watched = _watched(trace, "sparse_tape")
    assert watched["sp.values"] == ("watched", None)
    assert watched["sp.indices"] == ("ignored", "int64 is not a floating-point dtype")
    (tape,) = [t for t in trace.tapes.values() if t.label == "sparse_tape"]
    assert [trace.tensors[r].name for r in tape.watched] == ["sp.values"]


def test_a_sparse_tensors_values_get_their_gradient(trace: Trace, plain: dict[str, object]) -> None:
    assert _result(trace, "dsp = sparse_tape.gradient(total, sp.values)").data == plain["dsp"]


def test_watching_a_ragged_tensor_watches_its_values(
    trace: Trace, plain: dict[str, object]
) -> None:
    watched = _watched(trace, "ragged_tape")
    assert [s for s, _ in watched.values()] == ["watched", "ignored"]
    assert _result(trace, "drg = ragged_tape.gradient(r, rg.flat_values)").data == plain["drg"]


@pytest.mark.parametrize("which", ["detail", "summarised"])
def test_an_indexed_slices_gradient_is_its_dense_value(
    trace: Trace, summarised: Trace, plain: dict[str, object], which: str
) -> None:
    recorded = trace if which == "detail" else summarised
    assert plain["dtable_kind"] == "IndexedSlices"
    result = _result(recorded, "dtable = gather_tape.gradient(loss, table)")
    assert (result.dtype, result.shape) == ("float32", [3, 2])
    assert result.data == plain["dtable"] == [[6.0, 6.0], [0.0, 0.0], [3.0, 3.0]]


def test_summarised_string_watches_and_results_are_kept(
    summarised: Trace, plain: dict[str, object]
) -> None:
    assert _result(summarised, "dc = complex_tape.gradient(z, c)").data == plain["dc"]
    assert _result(summarised, "dsp = sparse_tape.gradient(total, sp.values)").data == plain["dsp"]
