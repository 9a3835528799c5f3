"""The recording child runs a scenario file as ``python FILE`` does (``tapetui.record.script``):
the same ``sys.argv[0]``, ``__file__`` and ``__main__`` module, the file's own ``__future__``
flags, and only a few frames of the recorder's under the scenario's code, whose every eager op
TensorFlow walks for its stack trace."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tapetui.trace.model import Trace

from .conftest import plain_and_recorded

AS_MAIN = """\
import os, pickle, sys
import tensorflow as tf

class Point:
    def __init__(self, x):
        self.x = x

def scaled(v: int) -> int:
    return v

print("argv0", sys.argv[0])
print("file", __file__ == os.path.abspath(sys.argv[0]), os.path.isabs(__file__))
print("main", sys.modules["__main__"].__dict__ is globals(), __name__, __package__, __spec__)
print("globals", sorted(globals())[:9], type(__loader__).__name__)
print("pickled", pickle.loads(pickle.dumps(Point(3))).x)
print("annotations", scaled.__annotations__["v"] is int)  # no inherited `annotations` future
x = tf.Variable(3.0)
with tf.GradientTape() as tape:
    y = x * x
print("gradient", float(tape.gradient(y, x)))
frames, frame = 0, sys._getframe().f_back
while frame is not None:
    frames, frame = frames + 1, frame.f_back
print("frames below", frames, file=sys.stderr)
"""


@pytest.fixture(scope="module")
def runs(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[subprocess.CompletedProcess[str], Trace, Path]:
    folder = tmp_path_factory.mktemp("as_main")
    return (*plain_and_recorded(folder, "as_main.py", AS_MAIN), folder)


def test_a_scenario_file_runs_as_python_runs_it(
    runs: tuple[subprocess.CompletedProcess[str], Trace, Path],
) -> None:
    plain, trace, folder = runs
    recorded = trace.output("stdout")
    assert recorded == plain.stdout
    lines = dict(line.split(" ", 1) for line in recorded.splitlines())
    assert lines["argv0"] == str(folder / "as_main.py")  # as given, not made absolute anew
    assert lines["file"] == "True True"
    assert lines["main"] == "True __main__ None None"
    assert "SourceFileLoader" in lines["globals"]
    assert lines["pickled"] == "3"
    assert lines["annotations"] == "True"
    assert lines["gradient"] == "6.0"
    assert trace.status == "finished"


def test_the_scenarios_code_has_few_recorder_frames_under_it(
    runs: tuple[subprocess.CompletedProcess[str], Trace, Path],
) -> None:
    plain, trace, _ = runs
    assert "frames below 0" in plain.stderr
    below = int(trace.output("stderr").split("frames below")[1].split()[0])
    # The child's entry (two of runpy's, ``main`` and its module) and ``record_file``; the
    # five that ``runpy.run_path`` and a ``lambda`` added made each eager op slower.
    assert below <= 5
