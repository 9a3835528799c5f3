"""The scenario's figures as images, under its printed output, in terminals that can show them.

Each figure the trace lists gets its caption (where it was shown, its path) and the image, or one
sentence saying why it cannot be shown (the file is gone, is not a PNG, is not a regular file).
In a terminal that cannot show images the view stays hidden: the output's own
``[figure shown at line 9, saved as …]`` lines give the paths. The files are read and
``textual-image`` is imported the first time the view is shown, never at start-up.
"""

from __future__ import annotations

import os
from typing import Literal

from textual.containers import VerticalScroll
from textual.widgets import Label

from tapetui.ui.figure_files import Figure, FigureUnreadable, read_png
from tapetui.ui.literal import literal
from tapetui.ui.widgets.terminal_images import Protocol, image_protocol, image_widget

PROTOCOL_NAMES: dict[Protocol, str] = {"kitty": "Kitty graphics", "sixel": "Sixel"}


class FiguresView(VerticalScroll):
    """The figures, one under another; shown only when there are figures and images can be."""

    DEFAULT_CSS = """
    FiguresView { height: 1fr; border: round $secondary; display: none; }
    FiguresView.-shown { display: block; }
    FiguresView > .figure-caption { width: 1fr; }
    FiguresView > .figure-note { width: 1fr; color: $text-warning; margin-bottom: 1; }
    FiguresView > .figure-image { width: auto; height: 16; margin-bottom: 1; }
    """

    def __init__(
        self, protocol: Protocol | Literal["auto"] | None = "auto", *, id: str | None = None
    ) -> None:
        super().__init__(id=id)
        self.protocol: Protocol | Literal["auto"] | None = protocol
        """How images are shown; ``auto``: decided from the terminal when the view is mounted."""
        self.figures: list[Figure] = []
        self._built = True

    def on_mount(self) -> None:
        if self.protocol == "auto":
            self.protocol = image_protocol(self.app.is_headless, os.environ)
        if self.protocol is not None:
            self.border_title = f"figures ({PROTOCOL_NAMES[self.protocol]})"

    def show_figures(self, figures: list[Figure]) -> None:
        """Show ``figures`` (from the next time the view is on screen)."""
        self.figures, self._built = figures, False
        for image in self.query(".figure-image"):
            setattr(image, "image", None)  # noqa: B010  # Kitty: the terminal frees its copy
        self.remove_children()
        self.set_class(bool(figures) and self.protocol is not None, "-shown")
        if self.has_class("-shown") and self.is_on_screen:
            self._build()

    def on_show(self) -> None:
        if not self._built:
            self._build()

    def _build(self) -> None:
        self._built = True
        protocol = self.protocol
        if protocol is None or protocol == "auto":
            return
        for number, figure in enumerate(self.figures, 1):
            self.mount(Label(literal(f"{number}. {figure.caption}"), classes="figure-caption"))
            try:
                shown = image_widget(protocol, read_png(figure.path))
                shown.add_class("figure-image")
            except (FigureUnreadable, ValueError) as exc:
                shown = Label(literal(str(exc)), classes="figure-note")
            self.mount(shown)
