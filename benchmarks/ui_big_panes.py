"""A big output and a big source next to small ones: time to open ``o``, time per step key, memory.

    python benchmarks/ui_big_panes.py            # 5 MB and 50 MB of output; 20 and 20,000 lines
    python benchmarks/ui_big_panes.py --presses 40

Each case runs in a fresh child process on a synthetic trace (``synthetic_trace.py``): once with
the scenario having printed N MB (lines of about 60 characters, one output event each, as the
recorder keeps them), once with its file made N lines
long (20, 200, 20,000) and each op placed on a line far from the last one's, so every key scrolls
the source pane once the file is longer than the pane (a 20-line file neither fills nor scrolls
it: 200 lines is the fair comparison for the cost of a long file).
Times are from sending the key until the screen update painted after the step was shown (the
same measure as ``ui_big_trace.py``). Memory: "pane's data" is what the output pane holds (the text
joined from the trace's output events, and where each line starts); "RSS: app + pane" the
process's resident growth from the trace built to ``o`` shown (the app itself included); "trace
+ all" also counts the trace's own events holding the output (one per write, as recorded).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic_trace import synthetic_trace
from ui_big_trace import Painted, _press

ROOT = Path(__file__).resolve().parents[1]
MB = 1_000_000
SIZE = (120, 40)


def _rss() -> float:
    """Resident memory now, in bytes."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4096


def _printed(size: int) -> str:
    line = "epoch {:>7}  loss 0.{:012d}  accuracy 0.{:08d}  lr 0.001\n"
    out, total, n = [], 0, 0
    while total < size:
        row = line.format(n, n * 7919 % 10**12, n * 31 % 10**8)
        out.append(row)
        total += len(row)
        n += 1
    return "".join(out)


async def _output_case(megabytes: float, presses: int) -> dict[str, Any]:
    from tapetui.trace import OutputEvent
    from tapetui.ui.app import TapeTuiApp

    trace = synthetic_trace(200)
    before = _rss()
    text = _printed(int(megabytes * MB))
    for row in text.splitlines(keepends=True):  # the recorder keeps one event per write
        trace.events.append(OutputEvent(len(trace.events), "synthetic.py", 8, text=row))
    trace.reindex()
    with_trace = _rss()
    app = TapeTuiApp(trace=trace, warm=False)
    painted = Painted(app)
    async with app.run_test(size=SIZE) as pilot:
        await painted.after(time.perf_counter())
        opened = [await _press(pilot, painted, "o") for _ in range(1)]
        after_open = _rss()
        for _ in range(presses):  # close and open again
            await _press(pilot, painted, "o")
            opened.append(await _press(pilot, painted, "o"))
        pane = app.screen.output_pane  # type: ignore[attr-defined]
        lines, printed = pane.line_count, pane.printed
        data = sys.getsizeof(printed.text) + sys.getsizeof(printed.starts)
    return {
        "bytes": len(text),
        "lines": lines,
        "first_open": opened[0],
        "open": statistics.median(opened),
        "view_bytes": after_open - with_trace,
        "data_bytes": data,
        "total_bytes": after_open - before,
    }


async def _source_case(lines: int, presses: int) -> dict[str, Any]:
    from tapetui.ui.app import TapeTuiApp

    trace = synthetic_trace(2_000)
    trace.sources["synthetic.py"] = "".join(
        f"value_{n} = {n} * 2.0  # line {n}\n" for n in range(lines)
    )
    for event in trace.events:
        if event.line is not None:
            event.line = event.seq * 7919 % lines + 1
    trace.reindex()
    app = TapeTuiApp(trace=trace, warm=False)
    painted = Painted(app)
    rendered = _count_rendered_lines()
    async with app.run_test(size=SIZE) as pilot:
        await painted.after(time.perf_counter())
        rendered.clear()
        keys = [await _press(pilot, painted, key) for _ in range(presses) for key in ("n", "p")]
    return {
        "lines": lines,
        "key": statistics.median(keys),
        "worst": max(keys),
        "rendered": len(rendered) / len(keys),
    }


def _count_rendered_lines() -> list[int]:
    """A list that grows by one each time the source pane renders a line (the work per key)."""
    from tapetui.ui.widgets.source_view import SourceView

    calls: list[int] = []
    line = SourceView.line

    def counted(self: SourceView, index: int) -> Any:
        calls.append(index)
        return line(self, index)

    SourceView.line = counted  # type: ignore[method-assign]
    return calls


def child(case: str, amount: float, presses: int) -> None:
    run = _output_case(amount, presses) if case == "output" else _source_case(int(amount), presses)
    print(json.dumps(asyncio.run(run)))


def _run_child(case: str, amount: float, presses: int) -> dict[str, Any]:
    command = [sys.executable, __file__, "--child", case, str(amount), "--presses", str(presses)]
    out = subprocess.run(command, capture_output=True, text=True, timeout=600, cwd=ROOT)
    if out.returncode != 0:
        raise SystemExit(f"measuring {case} {amount} failed:\n{out.stderr}")
    return json.loads(out.stdout.splitlines()[-1])


def _print(rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--presses", type=int, default=20, help="presses measured per case")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of the source cases")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], float(args.child[1]), args.presses)
        return 0
    small, big = (_run_child("output", mb, args.presses) for mb in (5, 50))
    rows = [
        (
            "output",
            "lines",
            "first o",
            "o (median)",
            "pane's data",
            "RSS: app + pane",
            "trace + all",
        )
    ]
    for case in (small, big):
        rows.append(
            (
                f"{case['bytes'] / MB:.0f} MB",
                f"{case['lines']:,}",
                f"{case['first_open'] * 1000:.0f} ms",
                f"{case['open'] * 1000:.0f} ms",
                f"{case['data_bytes'] / MB:.0f} MB = {case['data_bytes'] / case['bytes']:.2f}×",
                f"{case['view_bytes'] / MB:.0f} MB = {case['view_bytes'] / case['bytes']:.2f}×",
                f"{case['total_bytes'] / MB:.0f} MB = {case['total_bytes'] / case['bytes']:.2f}×",
            )
        )
    _print(rows)
    print(f"50 MB / 5 MB: o takes {big['open'] / small['open']:.2f}× as long (target ≤ 0.5 s)\n")
    sizes = (20, 200, 20_000)
    rounds = [[_run_child("source", n, args.presses) for n in sizes] for _ in range(args.rounds)]
    cases = [min((r[i] for r in rounds), key=lambda case: case["key"]) for i in range(len(sizes))]
    rows = [("source", "n / p (median, best round)", "slowest", "lines rendered per key")]
    for case in cases:
        key, worst = case["key"] * 1000, case["worst"] * 1000
        rows.append(
            (
                f"{case['lines']:,} lines",
                f"{key:.1f} ms",
                f"{worst:.1f} ms",
                f"{case['rendered']:.0f}",
            )
        )
    _print(rows)
    short, fills, long = (case["key"] for case in cases)
    print(f"20,000 / 20 lines: a step key takes {long / short:.2f}× as long")
    print(f"20,000 / 200 lines (both fill the pane and scroll on each key): {long / fills:.2f}×")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
