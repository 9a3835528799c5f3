"""The many-tape overview: target value and gradient norms across tapes, then pick one to step into."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Label, Sparkline

from tapetui.trace import Trace
from tapetui.trace.labels import format_data
from tapetui.ui.literal import content_line, literal_line
from tapetui.ui.overview import (
    CallSummary,
    curves,
    first_nonfinite,
    scaled,
    series,
    summarize,
    title,
)
from tapetui.ui.widgets.curves_plot import CurvesPlot, worth_plotting
from tapetui.ui.widgets.key_bar import KeyBar


def _number(value: float | None) -> str:
    return "None" if value is None else format_data(value, 4)


class OverviewScreen(Screen[int | None]):
    """One row per gradient call of each tape; the sparklines and the plot show each tape's
    first call (``textual-plotext`` is imported with this module, when the overview opens).

    | Key | Action |
    | :- | :- |
    | enter | step into the selected tape |
    | escape / v | back to the debugger |
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,v", "back", "Back"),
        Binding("q", "app.quit", "Quit"),
    ]

    def __init__(self, trace: Trace) -> None:
        super().__init__()
        self.summaries: list[CallSummary] = summarize(trace)

    def compose(self) -> ComposeResult:
        with Vertical(id="sparklines"):
            for name, values in series(self.summaries).items():
                if not values:
                    continue
                plotted, scale = scaled(values)
                with Horizontal(classes="series"):
                    shown = f"{name} (log)" if scale == "log" else name
                    yield Label(content_line(f"{shown:<10}"), classes="series-name")
                    yield Sparkline(plotted, classes="series-line")
                    yield Label(
                        content_line(f"{_number(values[0])} → {_number(values[-1])}"),
                        classes="series-range",
                    )
        over_tapes = curves(self.summaries)
        if worth_plotting(over_tapes):
            yield CurvesPlot(over_tapes, id="curves")
        yield DataTable(id="tape-table", cursor_type="row", zebra_stripes=True)
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#sparklines").border_title = title(self.summaries)
        table = self.query_one("#tape-table", DataTable)
        names = list(dict.fromkeys(n for s in self.summaries for n in s.norms))
        # Column labels and cells given as str are read as markup: a source's name is text.
        columns = ("tape", "line", "target", "value", *(f"|∇{n}|" for n in names))
        table.add_columns(*map(literal_line, columns))
        first = first_nonfinite(self.summaries)
        for row, s in enumerate(self.summaries):
            norms = [_number(s.norms.get(n)) if n in s.norms else "" for n in names]
            line = "" if s.line is None else str(s.line)
            value = _number(s.target) if s.call is not None else ""
            tape = f"! {s.tape}" if row == first else str(s.tape)  # the first NaN/Inf gradient
            cells = (tape, line, s.target_name, value, *norms)
            style = "yellow" if row == first else ""
            table.add_row(*(literal_line(c, style) for c in cells), key=f"{s.tape}:{s.call}")
        if first is not None:
            table.move_cursor(row=first)
        table.focus()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.dismiss(int((event.row_key.value or "0").split(":")[0]))

    def action_back(self) -> None:
        self.dismiss(None)
