"""The overview's larger plot: the recorded loss and gradient norms over the tapes, on a log scale
when they span more than two orders of magnitude, loaded only when the overview opens."""

from __future__ import annotations

import asyncio
import math
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

from rich.text import Text
from textual.widgets import Label

from tapetui.trace import Trace, load
from tapetui.ui import build_app
from tapetui.ui.overview import Curve, curves, summarize
from tapetui.ui.screens.overview import OverviewScreen
from tapetui.ui.widgets.curves_plot import MAX_POINTS, CurvesCanvas, CurvesPlot, legend

ROOT = Path(__file__).resolve().parents[2]
TRACES = Path(__file__).resolve().parent / "traces"
REGRESSION = TRACES / "linear_regression.json"


def recorded_first_calls(trace: Trace) -> list[tuple[int, float, list[float]]]:
    """Each tape's first gradient call, read straight from the trace: tape, loss, gradient norms."""
    firsts: dict[int, tuple[int, float, list[float]]] = {}
    for call in sorted(trace.gradient_calls.values(), key=lambda c: c.seq):
        if call.tape in firsts:
            continue
        loss = float(trace.tensors[call.target_ids[0]].data)  # type: ignore[arg-type]
        norms = []
        for result in call.result_ids:
            data = trace.tensors[result].data
            values = data if isinstance(data, list) else [data]
            norms.append(math.sqrt(sum(float(v) ** 2 for v in values)))  # type: ignore[arg-type]
        firsts[call.tape] = (call.tape, loss, norms)
    return list(firsts.values())


def canvas_of(trace: Trace) -> CurvesCanvas:
    return CurvesCanvas(curves(summarize(trace)))


def test_the_plot_draws_the_recorded_losses_and_gradient_norms() -> None:
    trace = load(REGRESSION)
    recorded = recorded_first_calls(trace)
    canvas = canvas_of(trace)
    loss, grad_w, grad_b = canvas.curves
    assert (loss.name, grad_w.name, grad_b.name) == ("loss", "|∇W|", "|∇b|")
    assert loss.tapes == [tape for tape, _, _ in recorded] == list(range(1, 101))
    assert loss.values == [value for _, value, _ in recorded]
    assert round(loss.values[0], 1) == 58.5 and round(loss.values[-1], 2) == 0.22
    assert grad_w.values == [norms[0] for _, _, norms in recorded]
    assert grad_b.values == [norms[1] for _, _, norms in recorded]
    canvas.draw()  # what plotext is given: the same numbers, the loss left, the norms right
    monitor = canvas.plt.monitor
    assert monitor.y == [loss.values, grad_w.values, grad_b.values]
    assert monitor.x == [loss.tapes, grad_w.tapes, grad_b.tapes]


def test_the_regression_is_drawn_on_a_log_scale_and_says_so() -> None:
    canvas = canvas_of(load(REGRESSION))
    assert canvas.scales == {"left": "log", "right": "log"}
    canvas.draw()
    assert canvas.plt.monitor.yscale == ["log", "log"]
    assert canvas.plt.monitor.ylabel == ["target, log scale", "gradient norm, log scale"]
    shown = legend(canvas.curves, canvas.scales).plain
    assert shown.startswith("▬ loss (left, log)  ▬ |∇W| (right, log)  ▬ |∇b| (right, log)")


def test_a_flat_series_is_drawn_on_a_linear_scale() -> None:
    summaries = summarize(load(REGRESSION))
    flat = [
        replace(s, target=2.0, norms={name: 1.0 + s.tape / 1000 for name in s.norms})
        for s in summaries
    ]
    canvas = CurvesCanvas(curves(flat))
    assert canvas.scales == {"left": "linear", "right": "linear"}
    canvas.draw()
    assert canvas.plt.monitor.yscale == ["linear", "linear"]
    assert canvas.plt.monitor.ylabel[0] == "target, linear scale"
    assert "(left, linear)" in legend(canvas.curves, canvas.scales).plain


def test_a_series_with_a_zero_stays_linear() -> None:
    assert CurvesCanvas([Curve("loss", [1, 2, 3], [100.0, 1.0, 0.0])]).scales == {"left": "linear"}


def test_a_nan_loss_is_left_out_of_the_plot_at_its_tape() -> None:
    summaries = summarize(load(REGRESSION))
    summaries[1] = replace(summaries[1], target=float("nan"))
    loss = curves(summaries)[0]
    assert loss.tapes[:3] == [1, 3, 4] and len(loss.values) == 99
    assert all(math.isfinite(v) for v in loss.values)


def test_twenty_thousand_tapes_are_thinned_and_a_spike_stays() -> None:
    values = [1.0 + (i % 7) / 100 for i in range(20_000)]
    values[12_345] = 99.0
    canvas = CurvesCanvas([Curve("loss", list(range(1, 20_001)), values)])
    canvas.draw()
    tapes, drawn = canvas.plt.monitor.x[0], canvas.plt.monitor.y[0]
    assert len(drawn) <= MAX_POINTS
    assert drawn[tapes.index(12_346)] == 99.0 and min(drawn) == 1.0
    assert tapes == sorted(tapes)


def test_curves_holding_the_same_numbers_get_their_own_colours() -> None:
    same = [Curve("|∇a|", [1, 2], [1.0, 2.0], True), Curve("|∇b|", [1, 2], [1.0, 2.0], True)]
    canvas = CurvesCanvas(same)
    canvas.draw()
    first, second = (colours[0] for colours in canvas.plt.monitor.color)  # one per point
    assert first != second
    marks = [span.style for span in legend(canvas.curves, canvas.scales).spans if span.style]
    assert marks == [f"color({first})", f"color({second})"]


def test_the_plot_renders_the_same_twice_and_its_log_scale_is_applied_once() -> None:
    async def flow() -> tuple[str, str]:
        app = build_app([str(REGRESSION)])
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("v")
            await pilot.pause()
            canvas = app.screen.query_one(CurvesCanvas)
            first = str(canvas.render())
            second = str(canvas.render())
            return first, second

    first, second = asyncio.run(flow())
    assert first == second
    assert "58.50" in first  # the top tick is the first loss, not its logarithm (1.77)


def test_names_reach_the_legend_literally_and_never_plotext() -> None:
    hostile = "w\x1b]0;pwned\x07[b]x[/b]"
    shown = [Curve("loss", [1, 2], [3.0, 2.0]), Curve(f"|∇{hostile}|", [1, 2], [1.0, 0.5], True)]
    canvas = CurvesCanvas(shown)
    canvas.draw()
    assert canvas.plt.monitor.label == [None, None]  # plotext gets no names
    text = legend(canvas.curves, canvas.scales)
    assert isinstance(text, Text)
    assert "|∇w␛]0;pwned␇[b]x[/b]|" in text.plain
    assert "\x1b" not in text.plain and "\x07" not in text.plain


def test_the_overview_shows_the_plot_with_its_legend() -> None:
    async def flow() -> str:
        app = build_app([str(REGRESSION)])
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("v")
            await pilot.pause()
            assert isinstance(app.screen, OverviewScreen)
            plot = app.screen.query_one(CurvesPlot)
            assert plot.canvas.size.height >= 10
            return str(plot.query_one(".legend", Label).render())

    assert "loss (left, log)" in asyncio.run(flow())


def test_one_tape_gets_no_plot_over_the_tapes() -> None:
    async def flow() -> int:
        app = build_app([str(TRACES / "persistent.json")])
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("v")
            await pilot.pause()
            assert isinstance(app.screen, OverviewScreen)
            return len(app.screen.query(CurvesPlot))

    assert asyncio.run(flow()) == 0


def test_plotext_is_imported_only_when_the_overview_opens() -> None:
    code = (
        "import sys, tapetui.ui.app, tapetui.ui.screens.debugger\n"
        "print(sorted(m for m in sys.modules if 'plotext' in m))\n"
        "import tapetui.ui.screens.overview\n"
        "print('textual_plotext' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout.split("\n")
    assert out[:2] == ["[]", "True"]
