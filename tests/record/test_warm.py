"""A warm child (TensorFlow imported before the scenario is known) records like a cold one."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tapetui.record.process import record
from tapetui.record.warm import WarmPool
from tapetui.trace.jsonio import trace_to_dict
from tapetui.trace.model import Trace

ROOT = Path(__file__).resolve().parents[2]
IMPORT_SECONDS = 120  # TensorFlow's import, with room for a loaded machine

EXITS = """\
import os
import sys
import tensorflow as tf

x = tf.Variable(2.0)
with tf.GradientTape() as tape:
    y = x * x
print("grad", float(tape.gradient(y, x)))
print("cwd", os.path.basename(os.getcwd()))
print("argv", [os.path.basename(arg) for arg in sys.argv])
try:
    input()
except EOFError as exc:
    print("stdin:", exc)
sys.exit(3)
"""

SLEEPS = """\
import time
import tensorflow as tf

x = tf.constant(1.0)
while True:
    time.sleep(0.1)
"""


@pytest.fixture(scope="module")
def pool() -> Iterator[WarmPool]:
    with WarmPool() as warm:
        yield warm


def warm_record(pool: WarmPool, scenario: str | Path, **options: Any) -> Trace:
    """Record through a child that has finished importing TensorFlow, and check it was used."""
    pool.start()
    assert pool.wait_ready(IMPORT_SECONDS)
    before = pool.handovers
    trace = record(scenario, warm=pool, **options)
    assert pool.handovers == before + 1
    return trace


def comparable(trace: Trace) -> dict[str, Any]:
    data = trace_to_dict(trace)
    data["meta"] = {k: v for k, v in data.get("meta", {}).items() if "seconds" not in k}
    return data


def test_a_warm_child_records_persistent_py_as_a_cold_one_does(
    pool: WarmPool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    warm = warm_record(pool, "scenarios/persistent.py")
    cold = record("scenarios/persistent.py")
    assert warm.status == cold.status == "finished"
    assert gradients(warm) == gradients(cold) == [[8.0], [6.0]]
    assert warm.output("stdout") == cold.output("stdout")
    assert comparable(warm) == comparable(cold)


def gradients(trace: Trace) -> list[list[Any]]:
    """Each gradient call's results, as values."""
    calls = sorted(trace.gradient_calls.values(), key=lambda call: call.seq)
    return [[trace.tensors[r].data for r in call.result_ids if r is not None] for call in calls]


def test_a_warm_child_runs_the_scenario_where_and_as_a_cold_one_does(
    pool: WarmPool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Working directory, argv, closed stdin, exit code: the job carries all of it."""
    scenario = tmp_path / "exits.py"
    scenario.write_text(EXITS, encoding="utf-8")
    monkeypatch.chdir(ROOT)
    pool.start()  # started here, in ROOT; the scenario is recorded from tmp_path
    monkeypatch.chdir(tmp_path)
    warm = warm_record(pool, "exits.py")
    cold = record("exits.py")
    assert (warm.status, warm.exit_code) == (cold.status, cold.exit_code) == ("exited", 3)
    printed = warm.output("stdout")
    assert "grad 4.0" in printed
    assert f"cwd {tmp_path.name}" in printed
    assert "argv ['exits.py']" in printed
    assert "stdin: stdin is not available" in printed
    assert comparable(warm) == comparable(cold)


def test_timeout_stops_a_warm_child(pool: WarmPool, tmp_path: Path) -> None:
    scenario = tmp_path / "sleeps.py"
    scenario.write_text(SLEEPS, encoding="utf-8")
    trace = warm_record(pool, scenario, timeout=1.0)
    assert trace.status == "timeout"
    assert trace.error is not None and "longer than 1 s" in trace.error.message


def test_cancel_kills_a_warm_child(pool: WarmPool, tmp_path: Path) -> None:
    scenario = tmp_path / "sleeps.py"
    scenario.write_text(SLEEPS, encoding="utf-8")
    cancel = threading.Event()
    trace = warm_record(pool, scenario, cancel=cancel, on_record=lambda _: cancel.set())
    assert trace.status == "cancelled"


def test_a_dying_warm_child_is_reported_like_a_cold_one(pool: WarmPool, tmp_path: Path) -> None:
    scenario = tmp_path / "hard_exit.py"
    scenario.write_text(
        "import os\nimport tensorflow as tf\nx = tf.constant(2.0) * 2\nos._exit(4)\n",
        encoding="utf-8",
    )
    warm = warm_record(pool, scenario)
    cold = record(scenario)
    assert (warm.status, warm.exit_code) == (cold.status, cold.exit_code) == ("died", 4)
    assert warm.error is not None and cold.error is not None
    assert warm.error.message == cold.error.message


UI_THAT_DIES = """\
import os, sys
from tapetui.record.warm import WarmPool
pool = WarmPool()
pool.start()
print(pool.idle_process.pid, flush=True)
if sys.argv[1] == "ready":
    assert pool.wait_ready(float(sys.argv[2]))
os._exit(0)  # no clean-up at all, as when the UI is killed
"""


def _exited(pid: int, within: float) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


@pytest.mark.parametrize("when", ["ready", "importing"])
def test_a_warm_child_exits_when_its_control_pipe_closes(when: str) -> None:
    """The UI dies without a word: the child sees its pipe close and leaves no orphan."""
    ui = subprocess.run(
        [sys.executable, "-c", UI_THAT_DIES, when, str(IMPORT_SECONDS)],
        capture_output=True,
        text=True,
        check=True,
        timeout=IMPORT_SECONDS + 30,
    )
    pid = int(ui.stdout.split()[0])
    # A child still importing TensorFlow finds the pipe closed once the import is done.
    assert _exited(pid, within=IMPORT_SECONDS), f"warm child {pid} still runs"


def test_closing_the_pool_ends_its_idle_child() -> None:
    pool = WarmPool()
    pool.start()
    child = pool.idle_process
    assert child is not None
    pool.close()
    assert child.poll() is not None
    assert pool.take([sys.executable, "-m", "tapetui.record", "x.py"]) is None
