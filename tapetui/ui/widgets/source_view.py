"""The scenario's source with line numbers, the current line marked and evidence lines lit."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from tapetui.ui.literal import append_literal, content_line


class SourceView(VerticalScroll):
    """Source text; ``current`` is the line the debugger stands on, ``evidence`` why-None lines."""

    DEFAULT_CSS = """
    SourceView { height: 1fr; }
    SourceView > Static { width: auto; min-width: 1fr; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.source = ""
        self.current: int | None = None
        self.evidence: frozenset[int] = frozenset()

    def compose(self) -> ComposeResult:
        yield Static(id="code")

    def show(
        self,
        source: str,
        current: int | None,
        evidence: frozenset[int] = frozenset(),
        title: str | None = None,
    ) -> None:
        """Show ``source`` with ``current`` marked and scrolled into view."""
        self.source, self.current, self.evidence = source, current, evidence
        if title is not None:
            self.border_title = content_line(title)
        self.query_one("#code", Static).update(self.render_source())
        if current is not None:
            self.scroll_to(y=max(0, current - 1 - self.size.height // 3), animate=False)

    def render_source(self) -> Text:
        lines = self.source.splitlines() or ["(no source recorded)"]
        width = len(str(len(lines)))
        text = Text(no_wrap=True)
        for number, line in enumerate(lines, start=1):
            marker = "▶" if number == self.current else ("●" if number in self.evidence else " ")
            style = (
                "reverse"
                if number == self.current
                else ("bold yellow" if number in self.evidence else "")
            )
            text.append(f"{number:>{width}}{marker}", style="dim" if not style else style)
            append_literal(text, f" {line}", style)
            text.append("\n")
        return text

    @property
    def current_text(self) -> str:
        """The text of the highlighted line."""
        lines = self.source.splitlines()
        if self.current is None or not 0 < self.current <= len(lines):
            return ""
        return lines[self.current - 1]
