"""How the debugger feels on a 100,000-op trace next to a small one: load, first render, keys, RSS.

    python benchmarks/ui_big_trace.py                    # makes a 100k-op synthetic trace first
    python benchmarks/ui_big_trace.py --trace big.json   # or takes one

Each trace is measured in a fresh child process (so peak RSS and the garbage collector's state
are its own) that loads the file, drives the real app headless with Textual's Pilot and reports
back. A key's latency is from sending the key event until the first screen update painted after
the debugger showed the new step (widgets rendered and turned into terminal codes); Pilot's own
``press``/``pause`` are not used for timing since they sleep until the process looks idle.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SMALL = ROOT / "tests" / "ui" / "traces" / "persistent.json"

FIRST_RENDER_TARGET = 2.0
"""Seconds from opening the file to the first screen showing the trace."""
KEY_TARGET = 0.050
"""Median seconds from a key press to the updated screen."""
RSS_TARGET = 500.0
"""Peak resident memory, MB."""

KEYS: list[tuple[str, str]] = [
    ("next (n)", "n"),
    ("previous (p)", "p"),
    ("next tape (])", "right_square_bracket"),
    ("previous tape ([)", "left_square_bracket"),
    ("next call (g)", "g"),
    ("previous call (G)", "G"),
    ("last (End)", "end"),
    ("first (Home)", "home"),
]
"""What each row measures and the key pressed, in the order pressed."""


# --- the child: one trace --------------------------------------------------------------------


class Painted:
    """Times when the app painted a screen update, and whether the debugger showed a step first.

    Hooks ``App._display``, which Textual calls with each compositor update: the widgets are
    rendered by then; the hook also turns the update into terminal codes, as a terminal would.
    """

    def __init__(self, app: Any) -> None:
        self.app = app
        self.shown = False
        self.painted = asyncio.Event()
        self.at = 0.0
        display = app._display

        def hooked(screen: Any, renderable: Any) -> None:
            display(screen, renderable)
            if renderable is not None and self._showing():
                renderable.render_segments(app.console)
                self.at = time.perf_counter()
                self.painted.set()

        app._display = hooked

    def _showing(self) -> bool:
        from tapetui.ui.screens.debugger import DebuggerScreen

        screen = self.app.screen
        if not isinstance(screen, DebuggerScreen) or screen.stepper is None:
            return False
        if not self.shown:  # first time: count steps shown from now on
            self.shown = True
            show = screen.show_step

            def show_step() -> None:
                show()
                self.painted.clear()  # only a paint after the step was shown counts

            screen.show_step = show_step
        return True

    async def after(self, start: float) -> float:
        """Seconds from ``start`` to the next paint of a shown step."""
        await asyncio.wait_for(self.painted.wait(), timeout=60)
        return self.at - start


async def _press(pilot: Any, painted: Painted, key: str) -> float:
    from textual import events

    await pilot.pause()  # settle, untimed
    painted.painted.clear()
    event = events.Key(key, key if len(key) == 1 else None)
    event.set_sender(pilot.app)
    start = time.perf_counter()
    pilot.app._driver.send_message(event)
    return await painted.after(start)


async def _keys(pilot: Any, painted: Painted, presses: int) -> dict[str, list[float]]:
    """Latencies per key; End and Home alternate so each one moves."""
    times: dict[str, list[float]] = {name: [] for name, _ in KEYS}
    for name, key in KEYS[:-2]:
        for _ in range(presses):
            times[name].append(await _press(pilot, painted, key))
    (end_name, end), (home_name, home) = KEYS[-2:]
    for _ in range(presses):
        times[end_name].append(await _press(pilot, painted, end))
        times[home_name].append(await _press(pilot, painted, home))
    return times


async def _measure(path: str, presses: int, size: tuple[int, int]) -> dict[str, Any]:
    from tapetui.trace import load
    from tapetui.ui.app import TapeTuiApp

    start = time.perf_counter()
    trace = load(path)
    loaded = time.perf_counter() - start
    app = TapeTuiApp(trace=trace)
    painted = Painted(app)
    async with app.run_test(size=size) as pilot:
        first = await painted.after(start)
        steps = len(app.screen.stepper.steps)  # type: ignore[attr-defined]
        keys = await _keys(pilot, painted, presses)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux
    return {"load": loaded, "first": first, "keys": keys, "rss": rss, "steps": steps}


def child(path: str, presses: int, size: tuple[int, int]) -> None:
    print(json.dumps(asyncio.run(_measure(path, presses, size))))


# --- the parent: make the trace, run the children, print the table ----------------------------


def _run_child(path: Path, presses: int, size: str) -> dict[str, Any]:
    command = [sys.executable, __file__, "--child", str(path), "--presses", str(presses)]
    out = subprocess.run(
        [*command, "--size", size], capture_output=True, text=True, timeout=600, cwd=ROOT
    )
    if out.returncode != 0:
        raise SystemExit(f"measuring {path} failed:\n{out.stderr}")
    return json.loads(out.stdout.splitlines()[-1])


def _synthetic(ops: int, folder: Path) -> Path:
    path = folder / f"synthetic_{ops}.json"
    script = ROOT / "benchmarks" / "synthetic_trace.py"
    subprocess.run(
        [sys.executable, str(script), "--ops", str(ops), "-o", str(path)],
        check=True,
        timeout=600,
        cwd=ROOT,
    )
    return path


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def _rows(small: dict[str, Any], big: dict[str, Any]) -> list[tuple[str, ...]]:
    rows = [
        ("load (file → Trace)", "", f"{small['load']:.3f} s", f"{big['load']:.3f} s", ""),
        (
            "load → first render",
            f"≤ {FIRST_RENDER_TARGET:g} s",
            f"{small['first']:.3f} s",
            f"{big['first']:.3f} s",
            _verdict(big["first"] <= FIRST_RENDER_TARGET),
        ),
    ]
    for name, _ in KEYS:
        s, b = small["keys"][name], big["keys"][name]
        rows.append(
            (
                f"{name} median / p95",
                f"≤ {KEY_TARGET * 1000:g} ms",
                f"{statistics.median(s) * 1000:.1f} / {_p95(s) * 1000:.1f} ms",
                f"{statistics.median(b) * 1000:.1f} / {_p95(b) * 1000:.1f} ms",
                _verdict(statistics.median(b) <= KEY_TARGET),
            )
        )
    rows.append(
        (
            "peak RSS",
            f"≤ {RSS_TARGET:g} MB",
            f"{small['rss']:.0f} MB",
            f"{big['rss']:.0f} MB",
            _verdict(big["rss"] <= RSS_TARGET),
        )
    )
    return rows


def _print_table(small_name: str, big_name: str, rows: list[tuple[str, ...]]) -> None:
    header = ("measure", "target", small_name, big_name, "big")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--ops", type=int, default=100_000, help="size of the synthetic trace")
    parser.add_argument("--trace", help="measure this trace instead of a synthetic one")
    parser.add_argument("--presses", type=int, default=20, help="presses of each key")
    parser.add_argument("--size", default="120x40", help="terminal size, WIDTHxHEIGHT")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    width, height = (int(n) for n in args.size.split("x"))
    if args.child:
        child(args.child, args.presses, (width, height))
        return 0
    with tempfile.TemporaryDirectory() as folder:
        big_path = Path(args.trace) if args.trace else _synthetic(args.ops, Path(folder))
        small = _run_child(SMALL, args.presses, args.size)
        big = _run_child(big_path, args.presses, args.size)
    big_name = f"{big_path.name} ({big['steps']} steps)"
    small_name = f"{SMALL.name} ({small['steps']} steps)"
    rows = _rows(small, big)
    _print_table(small_name, big_name, rows)
    verdicts = [row[-1] for row in rows if row[-1]]
    print(f"\n{verdicts.count('PASS')} of {len(verdicts)} targets met on the big trace")
    return 0 if all(v == "PASS" for v in verdicts) else 1


if __name__ == "__main__":
    raise SystemExit(main())
