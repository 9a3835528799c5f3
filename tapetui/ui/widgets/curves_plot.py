"""The overview's larger plot: the target and each source's gradient norm over the tapes.

Drawn by plotext through ``textual-plotext``, which this module imports: it is imported only
when the overview opens, never by the first screen. The target's values are on the left axis,
the gradient norms on the right one, each on a log scale when its values span more than two
orders of magnitude (:func:`tapetui.ui.overview.scale_of`), and the axis titles say which.

Names from the trace never reach plotext: it counts characters, not cells (a Chinese name would
push its frame out of line), and its output is read back as ANSI text, so an escape sequence in
a name would act. The legend under the plot names each curve in its colour, through
:mod:`tapetui.ui.literal`; plotext gets only numbers and this module's own words.
"""

from __future__ import annotations

import math
from typing import Any, cast

from rich.text import Text
from textual.app import ComposeResult, RenderResult
from textual.containers import Vertical
from textual.widgets import Label
from textual_plotext import PlotextPlot

from tapetui.ui.literal import literal_line
from tapetui.ui.overview import Curve, scale_of

COLOURS = (12, 10, 9, 13, 14, 11)
"""The 256-colour codes of the curves, in turn: plotext's and Rich's numbering are the same."""
MAX_POINTS = 400
"""Points drawn per curve at most: a 120-column plot has some 230 dots across, and plotext's
time grows with the points (20,000 take seconds a render, 400 a tenth of one)."""
NAME_WIDTH = 40
"""Characters of a curve's name shown in the legend (longer names end in ``…``)."""


def drawn(curves: list[Curve]) -> list[Curve]:
    """The curves with something to draw."""
    return [curve for curve in curves if curve.values]


def thinned(tapes: list[int], values: list[float]) -> tuple[list[int], list[float]]:
    """At most about :data:`MAX_POINTS` of the points, in order: each run of neighbours reduced to
    its lowest and highest value, so a spike stays visible."""
    if len(values) <= MAX_POINTS:
        return tapes, values
    run = math.ceil(len(values) / (MAX_POINTS // 2))
    kept: list[int] = []
    for start in range(0, len(values), run):
        span = range(start, min(start + run, len(values)))
        low = min(span, key=values.__getitem__)
        high = max(span, key=values.__getitem__)
        kept += sorted({low, high})
    return [tapes[i] for i in kept], [values[i] for i in kept]


def worth_plotting(curves: list[Curve]) -> bool:
    """Whether a plot over the tapes shows something the sparklines do not: a curve of two or
    more values (one tape's values are single points, and the table has them)."""
    return any(len(curve.values) >= 2 for curve in curves)


def sides(curves: list[Curve]) -> dict[str, list[Curve]]:
    """The curves of each axis: targets on the left, gradient norms on the right (all on the left
    when only one kind has values)."""
    left = [c for c in curves if not c.gradient]
    right = [c for c in curves if c.gradient]
    if not left or not right:
        return {"left": left or right}
    return {"left": left, "right": right}


def axis_title(side: list[Curve], scale: str) -> str:
    """``target, log scale`` or ``gradient norm, linear scale``."""
    kinds = {"gradient norm" if c.gradient else "target" for c in side}
    return f"{' and '.join(sorted(kinds))}, {scale} scale"


def colour_of(curves: list[Curve], curve: Curve) -> int:
    """The colour of ``curve``, by its place among ``curves`` (not by equality: two curves may
    hold the same numbers)."""
    place = next(i for i, c in enumerate(curves) if c is curve)
    return COLOURS[place % len(COLOURS)]


def tape_ticks(tapes: list[int], count: int = 5) -> list[int]:
    """Up to ``count`` whole tape numbers spread from the first tape to the last."""
    if not tapes:
        return []
    low, high = min(tapes), max(tapes)
    return sorted({round(low + (high - low) * i / (count - 1)) for i in range(count)})


class CurvesCanvas(PlotextPlot):
    """The plot itself; redrawn from the curves at each render (plotext applies a log scale to
    its data in place, so its figure is built afresh every time)."""

    DEFAULT_CSS = """
    CurvesCanvas { height: 1fr; }
    """

    def __init__(self, curves: list[Curve], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.curves = drawn(curves)
        self.scales = {side: scale_of(shown) for side, shown in sides(self.curves).items()}

    def draw(self) -> None:
        """Put the curves, scales and axis titles on a cleared figure."""
        plt = self.plt
        plt.clear_figure()
        by_side = sides(self.curves)
        for side, shown in by_side.items():
            for curve in shown:
                colour = colour_of(self.curves, curve)
                plt.plot(*thinned(curve.tapes, curve.values), color=colour, yside=side)
            plt.yscale(self.scales[side], yside=side)
            # plotext takes ``yside`` here; textual-plotext's type stub leaves it out.
            cast(Any, plt).ylabel(axis_title(shown, self.scales[side]), yside=side)
        ticks = tape_ticks([t for curve in self.curves for t in curve.tapes])
        plt.xticks([float(t) for t in ticks], [str(t) for t in ticks])
        plt.xlabel("tape")

    def render(self) -> RenderResult:
        self.draw()
        return super().render()


def legend(curves: list[Curve], scales: dict[str, str]) -> Text:
    """``▬ loss (left, log)  ▬ |∇w| (right, linear)``, each mark in its curve's colour."""
    text = Text(no_wrap=True, overflow="ellipsis")
    for side, shown in sides(curves).items():
        for curve in shown:
            text.append("▬ ", style=f"color({colour_of(curves, curve)})")
            name = curve.name if len(curve.name) <= NAME_WIDTH else curve.name[:NAME_WIDTH] + "…"
            text.append_text(literal_line(name))
            text.append(f" ({side}, {scales[side]})  ")
    return text


class CurvesPlot(Vertical):
    """The plot of the curves with values, and its legend."""

    DEFAULT_CSS = """
    CurvesPlot { height: 1fr; border: round $primary; }
    CurvesPlot > .legend { height: 1; width: 1fr; }
    """

    def __init__(self, curves: list[Curve], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.canvas = CurvesCanvas(curves)

    def on_mount(self) -> None:
        self.border_title = "over the tapes: each tape's first gradient call"

    def compose(self) -> ComposeResult:
        yield self.canvas
        yield Label(legend(self.canvas.curves, self.canvas.scales), classes="legend")
