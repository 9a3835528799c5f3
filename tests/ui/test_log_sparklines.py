"""The overview's sparklines show learning: a log scale when the values span two orders."""

from __future__ import annotations

import asyncio
import math
from pathlib import Path

from textual.widgets import Label, Sparkline

from tapetui.trace import load
from tapetui.ui import build_app
from tapetui.ui.overview import scaled, series, summarize
from tapetui.ui.screens.overview import OverviewScreen

TRACES = Path(__file__).resolve().parent / "traces"


def test_a_loss_falling_from_58_to_0_2_is_plotted_on_a_log_scale() -> None:
    losses = series(summarize(load(TRACES / "linear_regression.json")))["loss"]
    assert losses[0] > 50 and losses[-1] < 0.3  # the tutorial's 100 epochs
    plotted, scale = scaled(losses)
    assert scale == "log"
    assert plotted[0] == math.log10(losses[0]) and plotted[-1] == math.log10(losses[-1])

    # the second epoch's loss (0.81) is a fifth of the way up the plot, not at the bottom
    # (on a linear scale it is 1/100 of the height: every bar after the first is ▁)
    def height(values: list[float], i: int) -> float:
        return (values[i] - min(values)) / (max(values) - min(values))

    assert height(losses, 1) < 0.02
    assert height(plotted, 1) > 0.2


def test_values_within_two_orders_or_not_positive_stay_linear() -> None:
    assert scaled([5.0, 1.0, 0.1]) == ([5.0, 1.0, 0.1], "linear")
    assert scaled([100.0, 0.0, 0.001])[1] == "linear"  # a zero has no logarithm
    assert scaled([])[1] == "linear"


def test_the_overview_says_which_scale_it_uses() -> None:
    async def flow() -> None:
        app = build_app([str(TRACES / "linear_regression.json")])
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("v")
            await pilot.pause()
            assert isinstance(app.screen, OverviewScreen)
            names = [str(label.content).strip() for label in app.screen.query(".series-name")]
            assert "loss (log)" in names
            line = app.screen.query(Sparkline).first()
            assert min(line.data or []) < 0  # log10 of a loss under 1
            assert all(isinstance(label, Label) for label in app.screen.query(".series-name"))

    asyncio.run(flow())
