"""How fast the graph view (``d``) opens and moves on a 100,000-op trace.

    python benchmarks/graph_view.py            # both shapes of 100,000-op trace
    python benchmarks/graph_view.py --ops 20000

Two traces from ``benchmarks/synthetic_trace.py``'s generator: a training loop (10,000 tapes of
10 ops: the graph of one call in the middle of a long trace), and one tape of 100,000 ops (one
call whose graph is a chain of 100,000 ops: only what is on screen may be built). For each: the
graph model alone (``GradientGraph`` and its first lines), then the real app driven headless:
from sending ``d`` to the first screen painted with the graph, and from sending ``down`` to the
next paint, the way ``ui_big_trace.py`` times keys (Pilot's own ``press`` waits for idle).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import synthetic_trace  # the generator, next to this file

OPEN_TARGET = 0.5
"""Seconds from ``d`` to the graph on screen."""
KEY_TARGET = 0.050
"""Median seconds from a key in the graph to the updated screen."""


class Paints:
    """Wakes a waiter at the next screen update once ``ready()`` holds (hooks ``App._display``)."""

    def __init__(self, app: Any) -> None:
        self.event = asyncio.Event()
        self.at = self.at_key = 0.0
        self.ready = lambda: False
        display = app._display

        def hooked(screen: Any, renderable: Any) -> None:
            display(screen, renderable)
            if renderable is not None and self.ready():
                renderable.render_segments(app.console)
                self.at = time.perf_counter()
                self.event.set()

        app._display = hooked

    async def press(self, app: Any, key: str, ready: Any) -> float:
        from textual import events

        self.event.clear()
        self.ready = ready
        event = events.Key(key, key if len(key) == 1 else None)
        event.set_sender(app)
        start = self.at_key = time.perf_counter()
        app._driver.send_message(event)
        await asyncio.wait_for(self.event.wait(), timeout=120)
        return self.at - start


def model_times(trace: Any, call: int) -> tuple[float, float]:
    """Seconds to build the call's graph, and to make its first 400 lines."""
    from tapetui.explain.graph import GradientGraph

    start = time.perf_counter()
    graph = GradientGraph(trace, call)
    built = time.perf_counter() - start
    todo, lines = list(graph.roots), 0
    while todo and lines < 400:
        edges = graph.children(todo.pop(0))
        lines += len(edges)
        todo += [e.child for e in edges]
        for e in edges:
            graph.node(e.child)
    return built, time.perf_counter() - start - built


async def ui_times(trace: Any, call: int, presses: int) -> tuple[float, list[float], list[float]]:
    from tapetui.ui.app import TapeTuiApp
    from tapetui.ui.screens.debugger import DebuggerScreen

    app = TapeTuiApp(trace=trace)
    paints = Paints(app)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, DebuggerScreen) and screen.stepper is not None
        screen.stepper.go_to_call(call)
        screen.show_step()
        await pilot.pause()
        baseline = []  # the debugger's own n/p, side by side: what a step costs on this trace
        for key in ["n", "p"] * (presses // 2):
            at = screen.stepper.index
            baseline.append(await paints.press(app, key, lambda at=at: screen.stepper.index != at))
            await pilot.pause()
        opened = await paints.press(app, "d", lambda: screen.graph_view is not None)
        await pilot.pause()
        view = screen.graph_view
        assert view is not None
        keys, panes, key = [], [], "down"
        for _ in range(presses):
            line = view.cursor_line
            if line in (0, view.last_line):  # back and forth over a short graph
                key = "down" if line == 0 else "up"
            keys.append(await paints.press(app, key, lambda line=line: view.cursor_line != line))
            paints.event.clear()
            paints.ready = lambda: not screen.graph_following  # the panes have followed
            try:  # no paint when the node's op is the step already shown
                await asyncio.wait_for(paints.event.wait(), timeout=2)
                panes.append(paints.at - paints.at_key)
            except TimeoutError:
                pass
            await pilot.pause()
    return opened, keys, baseline, panes


def measure(name: str, ops_per_step: int, ops: int, presses: int) -> list[bool]:
    synthetic_trace.OPS_PER_STEP = ops_per_step
    trace = synthetic_trace.synthetic_trace(ops)
    calls = sorted(trace.gradient_calls)
    call = calls[len(calls) // 2]
    built, lines = model_times(trace, call)
    opened, keys, baseline, panes = asyncio.run(ui_times(trace, call, presses))
    median = statistics.median(keys)
    ok_open, ok_key = opened <= OPEN_TARGET, median <= KEY_TARGET
    print(f"{name}: {len(trace.events):,} events, graph of call {call}")
    print(f"  model: GradientGraph {built * 1000:.1f} ms, first 400 lines {lines * 1000:.1f} ms")
    verdict = "PASS" if ok_open else "FAIL"
    print(
        f"  d → graph on screen   {opened * 1000:7.1f} ms  (≤ {OPEN_TARGET * 1000:g} ms)  {verdict}"
    )
    print(
        f"  down/up → cursor painted, median  {median * 1000:7.1f} ms, max {max(keys) * 1000:.1f} ms"
        f"  (≤ {KEY_TARGET * 1000:g} ms)  {'PASS' if ok_key else 'FAIL'}"
    )
    print(
        f"  the source and step panes follow in {statistics.median(panes or [0.0]) * 1000:.1f} ms"
        f" (median); the debugger's own n/p: {statistics.median(baseline) * 1000:.1f} ms"
    )
    return [ok_open, ok_key]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--ops", type=int, default=100_000, help="ops in each synthetic trace")
    parser.add_argument("--presses", type=int, default=20, help="presses of down to time")
    args = parser.parse_args()
    verdicts = measure("a loop of 10-op steps", 10, args.ops, args.presses)
    verdicts += measure(f"one tape of {args.ops:,} ops", args.ops, args.ops, args.presses)
    print(f"\n{sum(verdicts)} of {len(verdicts)} targets met")
    return 0 if all(verdicts) else 1


if __name__ == "__main__":
    raise SystemExit(main())
