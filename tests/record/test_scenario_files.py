"""A scenario's own files: its folder is on sys.path, its helpers' lines and sources are kept."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tapetui.record import record
from tapetui.trace.events import OpEvent
from tapetui.trace.model import Trace

HELPER = """\
import tensorflow as tf


def square(v):
    return v * v
"""

MAIN = """\
import tensorflow as tf
from helper import square

x = tf.Variable(3.0)
with tf.GradientTape() as tape:
    y = square(x)
print(tape.gradient(y, x))
"""


@pytest.fixture(scope="module")
def trace(tmp_path_factory: pytest.TempPathFactory) -> Trace:
    folder = tmp_path_factory.mktemp("project") / "demo"
    folder.mkdir()
    (folder / "helper.py").write_text(HELPER, encoding="utf-8")
    (folder / "main.py").write_text(MAIN, encoding="utf-8")
    cwd = os.getcwd()
    os.chdir(folder.parent)  # the user types a relative path: the trace keeps it relative
    try:
        return record(Path("demo") / "main.py")
    finally:
        os.chdir(cwd)


def test_trace_names_files_as_the_user_did(trace: Trace) -> None:
    main, helper = str(Path("demo") / "main.py"), str(Path("demo") / "helper.py")
    assert trace.scenario == main
    assert trace.sources == {main: MAIN, helper: HELPER}


def test_ops_in_a_helper_point_at_the_helper_line(trace: Trace) -> None:
    ops = [e for e in trace.events if isinstance(e, OpEvent) and not e.backward]
    (mul,) = [e for e in ops if e.op_type == "Mul"]
    assert (mul.file, mul.line, mul.recorded_by) == (str(Path("demo") / "helper.py"), 5, [1])
    (call,) = trace.gradient_calls.values()
    assert (call.file, call.line) == (trace.scenario, 7)
    assert trace.tensors[call.result_ids[0]].data == 6.0
