"""The output pane (``o``): what the scenario printed, and under it the figures it showed."""

from __future__ import annotations

from typing import Literal

from textual.app import ComposeResult
from textual.containers import Vertical

from tapetui.trace import Trace
from tapetui.ui.figure_files import listed_figures
from tapetui.ui.widgets.figures_view import FiguresView
from tapetui.ui.widgets.output_view import OutputView
from tapetui.ui.widgets.terminal_images import Protocol


class OutputPane(Vertical):
    """The printed text (:class:`OutputView`, ``#output-text``) over the figures
    (:class:`FiguresView`, ``#figures``, shown only in terminals that can show images)."""

    DEFAULT_CSS = """
    OutputPane { height: 1fr; }
    """

    def __init__(
        self, *, id: str | None = None, images: Protocol | Literal["auto"] | None = "auto"
    ) -> None:
        super().__init__(id=id)
        self.images: Protocol | Literal["auto"] | None = images
        """How figures are drawn: ``auto`` asks :func:`~tapetui.ui.widgets.terminal_images.image_protocol`."""

    def compose(self) -> ComposeResult:
        yield OutputView(id="output-text")
        yield FiguresView(self.images, id="figures")

    @property
    def text(self) -> OutputView:
        return self.query_one("#output-text", OutputView)

    @property
    def figures(self) -> FiguresView:
        return self.query_one("#figures", FiguresView)

    def show_trace(self, trace: Trace) -> None:
        """Show what ``trace``'s scenario printed, from its first line, and the figures it lists."""
        self.text.show_trace(trace)
        self.figures.show_figures(listed_figures(trace))
