"""Scenarios that cannot run, raise, exit, read stdin, abort: the trace says so and keeps the rest."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tapetui.record import ScenarioError, check_scenario, record
from tapetui.trace.events import ErrorEvent, OpEvent
from tapetui.trace.model import Trace

RAISES = """\
import tensorflow as tf
x = tf.Variable(2.0)
with tf.GradientTape() as tape:
    y = x * x
print(tape.gradient(y, x))
raise ValueError("halfway")
print("never")
"""

EXITS = """\
import sys
import tensorflow as tf
print(tf.constant(1.0) + 1.0)
sys.exit(3)
"""

READS_STDIN = """\
name = input("name? ")
"""

NO_TAPE = """\
import tensorflow as tf
a = tf.constant([1.0, 2.0])
b = a * 2.0
print(b.numpy())
"""

ABORTS = """\
import os
import tensorflow as tf
x = tf.constant(2.0)
y = x * x
print(float(y), flush=True)
os.abort()
"""

SLEEPS = """\
import time
time.sleep(120)
"""

THROWAWAYS = {
    "raises.py": RAISES,
    "exits.py": EXITS,
    "reads_stdin.py": READS_STDIN,
    "no_tape.py": NO_TAPE,
    "aborts.py": ABORTS,
}


@pytest.fixture(scope="module")
def traces(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Trace]:
    folder = tmp_path_factory.mktemp("throwaway")
    for name, text in THROWAWAYS.items():
        (folder / name).write_text(text, encoding="utf-8")
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = pool.map(lambda name: record(folder / name, timeout=120), THROWAWAYS)
        return dict(zip(THROWAWAYS, results, strict=True))


def test_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match=r"nope\.py does not exist"):
        check_scenario(tmp_path / "nope.py")


def test_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="is a directory"):
        record(tmp_path)


def test_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("import os\n\nx = (1,\nif\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"bad\.py:\d+: "):
        check_scenario(bad)


def test_syntax_check_never_runs_the_file(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    script = tmp_path / "ok.py"
    script.write_text(f"open({str(marker)!r}, 'w').close()\n", encoding="utf-8")
    assert check_scenario(script) == script
    assert not marker.exists()


def test_binary_file_is_refused(tmp_path: Path) -> None:
    blob = tmp_path / "blob.py"
    blob.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe")
    with pytest.raises(ScenarioError, match="not a Python file"):
        check_scenario(blob)


def test_raising_scenario_keeps_everything_before(traces: dict[str, Trace]) -> None:
    trace = traces["raises.py"]
    assert (trace.status, trace.exit_code) == ("raised", 1)
    assert trace.error is not None
    assert (trace.error.type, trace.error.message, trace.error.line) == ("ValueError", "halfway", 6)
    assert "raise ValueError" in trace.error.traceback and "runpy" not in trace.error.traceback
    (call,) = trace.gradient_calls.values()
    assert trace.tensors[call.result_ids[0]].data == 4.0
    assert trace.output("stdout") == "tf.Tensor(4.0, shape=(), dtype=float32)\n"
    errors = [e for e in trace.events if isinstance(e, ErrorEvent)]
    assert [(e.type, e.line) for e in errors] == [("ValueError", 6)]


def test_sys_exit_is_an_exit_with_its_code(traces: dict[str, Trace]) -> None:
    trace = traces["exits.py"]
    assert (trace.status, trace.exit_code, trace.error) == ("exited", 3, None)
    assert trace.output("stdout") == "tf.Tensor(2.0, shape=(), dtype=float32)\n"


def test_input_fails_with_a_clear_message(traces: dict[str, Trace]) -> None:
    trace = traces["reads_stdin.py"]
    assert trace.status == "raised"
    assert trace.error is not None and trace.error.type == "EOFError"
    assert "stdin" in trace.error.message and trace.error.line == 1


def test_scenario_without_a_tape_records_its_ops(traces: dict[str, Trace]) -> None:
    trace = traces["no_tape.py"]
    assert (trace.status, trace.tapes, trace.gradient_calls) == ("finished", {}, {})
    (mul,) = [e for e in trace.events if isinstance(e, OpEvent) and e.op_type == "Mul"]
    assert (mul.line, mul.recorded_by, trace.tensors[mul.outputs[0]].data) == (3, [], [2.0, 4.0])
    assert trace.tensors[mul.outputs[0]].name == "b"


def test_abort_is_a_death_with_the_partial_trace(traces: dict[str, Trace]) -> None:
    trace = traces["aborts.py"]
    assert trace.status == "died"
    assert trace.error is not None and "SIGABRT" in trace.error.message
    assert trace.output("stdout") == "4.0\n"
    (mul,) = [e for e in trace.events if isinstance(e, OpEvent) and e.op_type == "Mul"]
    assert trace.tensors[mul.outputs[0]].data == 4.0


def test_cancel_kills_the_child(tmp_path: Path) -> None:
    script = tmp_path / "sleeps.py"
    script.write_text(SLEEPS, encoding="utf-8")
    cancel = threading.Event()
    seen: list[dict] = []

    def on_record(record: dict) -> None:
        seen.append(record)
        cancel.set()

    trace = record(script, cancel=cancel, on_record=on_record)
    assert trace.status == "cancelled"
    assert seen and "meta" in seen[0]


def test_timeout_stops_the_child(tmp_path: Path) -> None:
    script = tmp_path / "sleeps.py"
    script.write_text(SLEEPS, encoding="utf-8")
    trace = record(script, timeout=1.0)
    assert trace.status == "timeout"
    assert trace.error is not None and "longer than 1 s" in trace.error.message
