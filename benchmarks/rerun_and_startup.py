"""First screen and re-run latency, side by side in one run, against the 0.5 s targets.

    python benchmarks/rerun_and_startup.py [--runs 5]

(a) Launch to first screen: the real ``tapetui scenarios/persistent.py`` command runs in a
    pseudo-terminal and the clock stops when the screen's text (the scenario's source and the
    footer) has been written to the terminal, as a person would see it.
(b) ``r`` on persistent.py to the new trace shown, through the Pilot: with a cold child
    (a new process that imports TensorFlow) and with the warm child the app keeps ready.
Medians of ``--runs`` runs each; the machine's load shows in the spread (min-max).
"""

from __future__ import annotations

import argparse
import asyncio
import compileall
import fcntl
import os
import pty
import re
import select
import shutil
import statistics
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Callable
from pathlib import Path

from tapetui.ui.app import TapeTuiApp
from tapetui.ui.scenarios import discover
from tapetui.ui.screens.debugger import DebuggerScreen

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = "scenarios/persistent.py"
TARGET = 0.5
SIZE = (120, 40)
# Text the first screen shows: a line of the scenario's source, and the footer's keys.
FIRST_SCREEN = ("x = tf.Variable(4.0)", "Rerun")
_ESCAPE = re.compile(
    r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[PX^_][^\x1b]*\x1b\\|.)"
)
# The floor: the smallest Textual app showing the same text, started the same way.
BARE_TEXTUAL_APP = f"""
from textual.app import App
from textual.widgets import Static
class Bare(App):
    BINDINGS = [("q", "quit")]
    def compose(self):
        yield Static({" ".join(FIRST_SCREEN)!r})
Bare().run()
"""


def tapetui_command() -> list[str]:
    found = shutil.which("tapetui")
    return [found] if found else [sys.executable, "-m", "tapetui"]


# (a) launch to first screen ---------------------------------------------------------------------


def launch_to_first_screen(command: list[str], timeout: float = 30.0) -> float:
    """Seconds from starting ``command`` in a pty until the first screen's text is written."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", SIZE[1], SIZE[0], 0, 0))
    env = dict(os.environ, TERM="xterm-256color", COLUMNS=str(SIZE[0]), LINES=str(SIZE[1]))
    start = time.perf_counter()
    child = subprocess.Popen(
        command,
        stdin=slave,
        stdout=slave,
        stderr=slave,
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    os.close(slave)
    try:
        return _read_until_shown(master, start, timeout)
    finally:
        _quit(child, master)


def _read_until_shown(master: int, start: float, timeout: float) -> float:
    screen = ""
    while time.perf_counter() - start < timeout:
        readable, _, _ = select.select([master], [], [], 0.01)
        if not readable:
            continue
        try:
            screen += _ESCAPE.sub("", os.read(master, 65536).decode("utf-8", "replace"))
        except OSError:  # the child closed the terminal
            break
        if all(text in screen for text in FIRST_SCREEN):
            return time.perf_counter() - start
    raise RuntimeError(f"the first screen did not appear within {timeout:g} s")


def _quit(child: subprocess.Popen[bytes], master: int) -> None:
    """Press q, as a person would; the app closes its warm child on the way out."""
    try:
        os.write(master, b"q")
        deadline = time.monotonic() + 15
        while child.poll() is None and time.monotonic() < deadline:
            readable, _, _ = select.select([master], [], [], 0.05)
            try:
                if readable:
                    os.read(master, 65536)  # keep the terminal drained so the app can write
            except OSError:
                break
        if child.poll() is None:
            child.kill()
        child.wait()
    finally:
        os.close(master)


# (b) r to the new trace shown -------------------------------------------------------------------


async def rerun_seconds(warm: bool, runs: int) -> list[float]:
    """Seconds from pressing r until the re-recorded trace is on screen, ``runs`` times."""
    app = TapeTuiApp(scenarios=discover([SCENARIO]), warm=warm)
    times = []
    async with app.run_test(size=SIZE) as pilot:
        await _until(pilot, lambda: app.ready, 120)
        for _ in range(runs):
            if app.warm is not None:  # a person reads the trace before pressing r again
                await asyncio.to_thread(app.warm.wait_ready, 120)
            screen = app.screen
            assert isinstance(screen, DebuggerScreen)
            times.append(await _press_r(pilot, screen))
    return times


async def _press_r(pilot: object, screen: DebuggerScreen) -> float:
    shown = screen.trace
    start = time.perf_counter()
    await pilot.press("r")  # type: ignore[attr-defined]
    await _until(pilot, lambda: screen.ready and screen.trace is not shown, 120)
    await pilot.pause()  # type: ignore[attr-defined]  # the new trace painted
    seconds = time.perf_counter() - start
    assert screen.trace is not None and screen.trace.status == "finished"
    return seconds


async def _until(pilot: object, condition: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError(f"gave up after {timeout:g} s")
        await pilot.pause(0.005)  # type: ignore[attr-defined]


# report -----------------------------------------------------------------------------------------


def verdict(seconds: float) -> str:
    return "PASS" if seconds <= TARGET else "FAIL"


def row(label: str, times: list[float], target: bool) -> str:
    median = statistics.median(times)
    spread = f"(min {min(times):.3f}, max {max(times):.3f})"
    goal = f"target <= {TARGET} s  {verdict(median)}" if target else ""
    return f"  {label:<34} {median:7.3f} s  {spread:<26} {goal}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    os.chdir(ROOT)
    # As pip does when it installs a package (and Python on first import, unless
    # PYTHONDONTWRITEBYTECODE is set, as on some CI machines): Textual's own modules, in
    # site-packages, are compiled already, so tapetui's must be too for a fair comparison.
    compileall.compile_dir(ROOT / "tapetui", quiet=1)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"{args.runs} runs each, medians; {os.cpu_count()} cores, load average {load}")
    first, bare = [], []
    for _ in range(args.runs):  # interleaved, so that both see the same load
        first.append(launch_to_first_screen([*tapetui_command(), SCENARIO]))
        bare.append(launch_to_first_screen([sys.executable, "-c", BARE_TEXTUAL_APP]))
    print("(a) launch to first screen (real command in a pty)")
    print(row("tapetui scenarios/persistent.py", first, target=True))
    print(row("floor: a bare Textual app", bare, target=False))
    cold = asyncio.run(rerun_seconds(warm=False, runs=args.runs))
    warm = asyncio.run(rerun_seconds(warm=True, runs=args.runs))
    print("(b) r to the new trace shown (Pilot)")
    print(row("cold child (imports TensorFlow)", cold, target=False))
    print(row("warm child (TensorFlow imported)", warm, target=True))
    ratio = statistics.median(cold) / statistics.median(warm)
    print(f"  warm is {ratio:.1f}x faster than cold")


if __name__ == "__main__":
    main()
