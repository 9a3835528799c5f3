"""A scrollable pane of styled lines: the tapes pane, the step detail, the why pane."""

from __future__ import annotations

import re

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from tapetui.ui.describe import Line
from tapetui.ui.literal import append_literal, content_line

NONFINITE = re.compile(r"(?<![\w.])-?(?:nan|inf)(?![\w])")
"""A NaN or infinite value as tapetui writes it, highlighted wherever it appears."""
NONFINITE_STYLE = "bold red reverse"


def render_lines(lines: list[Line]) -> Text:
    text = Text(no_wrap=False, overflow="fold")
    for i, (row, style) in enumerate(lines):
        if i:
            text.append("\n")
        append_literal(text, row, style)
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

    def show(self, lines: list[Line], title: str | None = None) -> None:
        self.query_one("#lines", Static).update(render_lines(lines))
        if title is not None:
            self.border_title = content_line(title)
        self.scroll_home(animate=False)

    @property
    def plain(self) -> str:
        """The pane's text, for tests and the screenshot checks."""
        content = self.query_one("#lines", Static).content
        return content.plain if isinstance(content, Text) else str(content)
