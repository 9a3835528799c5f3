"""The scenario's source with line numbers, the current line marked and evidence lines lit.

Only the lines on screen are rendered, so a step costs the same in a 20,000-line file as in a
20-line one; the file is split into lines once, when another file is shown.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text

from tapetui.trace.printable import printable
from tapetui.ui.literal import content_line
from tapetui.ui.widgets.window_view import WindowView

NO_SOURCE = "(no source recorded)"


class SourceView(WindowView):
    """Source text; ``current`` is the line the debugger stands on, ``evidence`` why-None lines."""

    DEFAULT_CSS = """
    SourceView { height: 1fr; overflow-x: hidden; }
    """
    """Long lines are cut at the pane's edge, as a code listing is, not scrolled sideways."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.source = ""
        self.current: int | None = None
        self.evidence: frozenset[int] = frozenset()
        self.lines: list[str] = [NO_SOURCE]
        """The shown file's lines, control characters made visible."""
        self._number_width = 1
        self._split_from: str | None = None

    def show(
        self,
        source: str,
        current: int | None,
        evidence: frozenset[int] = frozenset(),
        title: str | None = None,
    ) -> None:
        """Show ``source`` with ``current`` marked and scrolled into view."""
        if source is not self._split_from:  # another file (each one is split once)
            self._split(source)
        self.current, self.evidence = current, evidence
        if title is not None:
            self.border_title = content_line(title)
        self.refresh()
        if self.size.height:
            self._follow()  # now, so the step paints once, already scrolled
        else:  # not laid out yet: once it is
            self.call_after_refresh(self._follow)

    def _follow(self) -> None:
        """Scroll the current line a third down the pane."""
        if self.current is not None:
            self.scroll_to(y=max(0, self.current - 1 - self.size.height // 3), animate=False)

    def _split(self, source: str) -> None:
        self.source = self._split_from = source
        self.lines = [printable(line) for line in source.splitlines()] or [NO_SOURCE]
        self._number_width = len(str(len(self.lines)))
        widest = max(cell_len(line.expandtabs(8)) for line in self.lines)
        # One blank row after the last line, as the listing always had (the scrollbars agree).
        self.set_extent(len(self.lines) + 1, self._number_width + 2 + widest)

    def line(self, index: int) -> Text:
        if index >= len(self.lines):
            return Text()
        number = index + 1
        current, lit = number == self.current, number in self.evidence
        marker = "▶" if current else ("●" if lit else " ")
        style = "reverse" if current else ("bold yellow" if lit else "")
        text = Text(no_wrap=True)
        text.append(f"{number:>{self._number_width}}{marker}", style=style or "dim")
        text.append(f" {self.lines[index]}", style=style or None)
        return text

    @property
    def current_text(self) -> str:
        """The text of the highlighted line."""
        lines = self.source.splitlines()
        if self.current is None or not 0 < self.current <= len(lines):
            return ""
        return lines[self.current - 1]
