"""A scrollable pane of styled lines: the tapes pane, the step detail, the why pane."""

from __future__ import annotations

import re
from collections.abc import Mapping

from rich.style import Style
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Static

from tapetui.ui.describe import Line
from tapetui.ui.literal import append_literal, content_line

NONFINITE = re.compile(r"(?<![\w.])-?(?:nan|inf)(?![\w])")
"""A NaN or infinite value as tapetui writes it, highlighted wherever it appears."""
NONFINITE_STYLE = "bold red reverse"


def render_lines(lines: list[Line], clicks: Mapping[int, dict[str, int]] | None = None) -> Text:
    """The lines as one text; a line in ``clicks`` carries what clicking it selects (as meta)."""
    text = Text(no_wrap=False, overflow="fold")
    for i, (row, style) in enumerate(lines):
        if i:
            text.append("\n")
        start = len(text)
        append_literal(text, row, style)
        if clicks and i in clicks:
            text.stylize(Style.from_meta(clicks[i]), start, len(text))
    text.highlight_regex(NONFINITE, NONFINITE_STYLE)
    return text


class LinesView(VerticalScroll):
    """Shows a list of ``(text, style)`` lines; set them with :meth:`show`."""

    DEFAULT_CSS = """
    LinesView { height: 1fr; }
    LinesView > Static { width: 1fr; }
    """

    def compose(self) -> ComposeResult:
        yield Static(id="lines")

    class Clicked(Message):
        """A line that selects something was clicked: ``{"call": id}`` or ``{"tape": id}``."""

        def __init__(self, pane: LinesView, selects: dict[str, int]) -> None:
            super().__init__()
            self.pane, self.selects = pane, selects

    def show(
        self,
        lines: list[Line],
        title: str | None = None,
        clicks: Mapping[int, dict[str, int]] | None = None,
    ) -> None:
        self.query_one("#lines", Static).update(render_lines(lines, clicks))
        if title is not None:
            self.border_title = content_line(title)
        self.scroll_home(animate=False)

    def on_click(self, event: events.Click) -> None:
        meta = event.style.meta
        selects = {key: meta[key] for key in ("call", "tape") if isinstance(meta.get(key), int)}
        if selects:
            event.stop()
            self.post_message(self.Clicked(self, selects))

    @property
    def plain(self) -> str:
        """The pane's text, for tests and the screenshot checks."""
        content = self.query_one("#lines", Static).content
        return content.plain if isinstance(content, Text) else str(content)
