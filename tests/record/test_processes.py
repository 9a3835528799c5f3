"""Processes a scenario starts live and die with tapetui: after a timeout, a cancel, a quit, or
the parent killed with SIGKILL, none is left; a ``multiprocessing`` pool works as under python."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import traceback
from pathlib import Path

import pytest

from tapetui.record import record
from tapetui.record.output import ClosedStdin
from tapetui.ui import build_app
from tapetui.ui.screens.debugger import DebuggerScreen
from tests.command import tapetui

ROOT = Path(__file__).resolve().parents[2]

# The recording child, a forked worker that ignores SIGTERM and SIGHUP, a subprocess, and that
# subprocess's own child: every one writes itself into the ``.pids`` file next to the scenario.
SPAWNER = """\
import multiprocessing as mp
import os
import signal
import subprocess
import sys
import time
from pathlib import Path


def stubborn() -> None:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    time.sleep(600)


if __name__ == "__main__":
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    worker = mp.get_context("fork").Process(target=stubborn)
    worker.start()
    nested = "import subprocess, sys, time; p = subprocess.Popen([sys.executable, '-c', " \\
        "'import time; time.sleep(600)']); print(p.pid, flush=True); time.sleep(600)"
    sleeper = subprocess.Popen([sys.executable, "-c", nested], stdout=subprocess.PIPE, text=True)
    grandchild = int(sleeper.stdout.readline())
    pids = [os.getpid(), worker.pid, sleeper.pid, grandchild]
    print("session", os.getsid(0) == os.getpid(), flush=True)
    Path(__file__).with_suffix(".pids").write_text(" ".join(map(str, pids)))
    time.sleep(600)
"""

POOL = """\
import multiprocessing as mp

import tensorflow as tf


def square(n):
    return n * n


if __name__ == "__main__":
    x = tf.Variable(3.0)
    with tf.GradientTape() as tape:
        y = x * x
    print("grad", float(tape.gradient(y, x)))
    with mp.Pool(2) as pool:
        print("squares", pool.map(square, range(6)))
    print("done")
"""


def alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie nobody reaped yet has ended)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def wait_for(condition, seconds: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def spawner(tmp_path: Path) -> tuple[Path, Path]:
    scenario = tmp_path / "spawner.py"
    scenario.write_text(SPAWNER, encoding="utf-8")
    return scenario, scenario.with_suffix(".pids")


def scenario_pids(pids_file: Path, seconds: float = 120) -> list[int]:
    assert wait_for(pids_file.exists, seconds), "the scenario never started its processes"
    time.sleep(0.2)  # the file is written in one go; let it land
    return [int(p) for p in pids_file.read_text().split()]


def assert_none_left(pids: list[int]) -> None:
    assert len(pids) == 4
    assert wait_for(lambda: not any(map(alive, pids)), 10), [p for p in pids if alive(p)]


def test_a_timeout_ends_every_process_the_scenario_started(tmp_path: Path) -> None:
    scenario, pids_file = spawner(tmp_path)
    result = tapetui("record", str(scenario), "-o", str(tmp_path / "t.json"), "--timeout", "30")
    assert result.returncode == 1
    assert "stopped after the time limit" in result.stderr
    assert_none_left(scenario_pids(pids_file, seconds=0))


def test_the_recording_child_runs_in_a_session_of_its_own(tmp_path: Path) -> None:
    """The terminal's SIGHUP, sent to the UI's session, never reaches the scenario's processes."""
    scenario, _ = spawner(tmp_path)
    trace = record(scenario, timeout=30)
    assert "session True" in trace.output("stdout")


@pytest.mark.parametrize("how", ["cancel", "quit"])
def test_cancel_and_quit_in_the_debugger_end_every_process(tmp_path: Path, how: str) -> None:
    scenario, pids_file = spawner(tmp_path)
    pids: list[int] = []

    async def flow() -> None:
        app = build_app([str(scenario)])
        async with app.run_test(size=(100, 30)) as pilot:
            screen = app.screen
            assert isinstance(screen, DebuggerScreen)
            for _ in range(1200):
                await pilot.pause(0.1)
                if pids_file.exists():
                    break
            await pilot.pause(0.3)
            pids.extend(int(p) for p in pids_file.read_text().split())
            if how == "cancel":
                await pilot.press("escape")
                for _ in range(300):
                    await pilot.pause(0.1)
                    if app.ready:
                        break
                assert screen.trace is not None and screen.trace.status == "cancelled"
            else:
                await pilot.press("q")

    asyncio.run(flow())
    assert_none_left(pids)


PARENT = """\
import sys
from tapetui.record.process import record
from tapetui.record.warm import WarmPool

if sys.argv[2] == "warm":
    with WarmPool() as pool:
        pool.start()
        record(sys.argv[1], warm=pool)
else:
    record(sys.argv[1])
"""


@pytest.mark.parametrize("child", ["cold", "warm"])
def test_the_parent_killed_with_sigkill_leaves_no_process(tmp_path: Path, child: str) -> None:
    scenario, pids_file = spawner(tmp_path)
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT, str(scenario), child],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdin=subprocess.DEVNULL,
    )
    try:
        pids = scenario_pids(pids_file)
        assert all(map(alive, pids))
    finally:
        parent.send_signal(signal.SIGKILL)
        parent.wait()
    assert_none_left(pids)


def test_a_multiprocessing_pool_gives_what_plain_python_gives(tmp_path: Path) -> None:
    scenario = tmp_path / "pool.py"
    scenario.write_text(POOL, encoding="utf-8")
    plain = subprocess.run(
        [sys.executable, str(scenario)],
        capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert plain.stdout == "grad 6.0\nsquares [0, 1, 4, 9, 16, 25]\ndone\n"
    trace = record(scenario, timeout=60)
    assert trace.status == "finished"
    assert trace.output("stdout") == plain.stdout


def test_the_stand_in_stdin_is_a_closed_file() -> None:
    stdin = ClosedStdin()
    assert stdin.closed and not stdin.writable()
    stdin.close()  # what multiprocessing does first in a forked worker
    for method in (stdin.fileno, stdin.isatty, stdin.readable, stdin.seekable, stdin.__enter__):
        with pytest.raises(ValueError, match="I/O operation on closed file"):
            method()
    with pytest.raises(ValueError, match="closed file"):
        stdin.buffer.read()
    assert (stdin.name, stdin.encoding, stdin.mode) == ("<stdin>", "utf-8", "r")


@pytest.mark.parametrize("read", ["read", "readline", "readlines", "iterate", "input"])
def test_reading_stdin_says_why_it_is_closed(read: str, monkeypatch: pytest.MonkeyPatch) -> None:
    stdin = ClosedStdin()
    monkeypatch.setattr(sys, "stdin", stdin)
    reads = {
        "read": stdin.read,
        "readline": stdin.readline,
        "readlines": stdin.readlines,
        "iterate": lambda: list(stdin),
        "input": input,
    }
    with pytest.raises(EOFError, match="tapetui runs the scenario with stdin closed") as raised:
        reads[read]()
    assert isinstance(raised.value, ValueError)  # what a closed file raises
    assert traceback.format_exception_only(raised.value)[0].startswith("EOFError: stdin is not")


FORKED_POOL = """\
import multiprocessing as mp
import sys
from tapetui.record.output import ClosedStdin


def square(n):
    return n * n


if __name__ == "__main__":
    sys.stdin = ClosedStdin()
    with mp.get_context("fork").Pool(2) as pool:
        print(pool.map(square, range(5)))
"""


def test_forked_workers_replace_the_stand_in_stdin_as_a_real_one() -> None:
    done = subprocess.run(
        [sys.executable, "-c", FORKED_POOL],
        capture_output=True, text=True, timeout=60, cwd=ROOT, stdin=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    assert (done.returncode, done.stdout) == (0, "[0, 1, 4, 9, 16]\n"), done.stderr
