"""A scrolling pane that renders only the lines on screen (Textual's Line API), for big texts.

A 20,000-line source or a 50 MB output costs, per repaint, what its visible window costs: the
pane asks for one line at a time, by index, and never builds the whole text as one renderable.
"""

from __future__ import annotations

from rich.text import Text
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

LONG_LINE = 4_096
"""Lines longer than this many characters are cut to the visible columns before rendering."""


class WindowView(ScrollView, can_focus=True):
    """Scrolls ``line_count`` lines of at most ``line_width`` cells; subclasses give :meth:`line`."""

    DEFAULT_CSS = """
    WindowView { height: 1fr; }
    """

    line_count = 0
    """How many lines there are to scroll through."""
    line_width = 0
    """The widest line's width in cells (what the horizontal scrollbar scrolls over)."""

    def line(self, index: int) -> Text:
        """Line ``index`` (0-based), styled; only called for lines on screen."""
        raise NotImplementedError

    def set_extent(self, line_count: int, line_width: int) -> None:
        """Tell the scrollbars how much there is, and repaint."""
        self.line_count, self.line_width = line_count, line_width
        self.virtual_size = Size(line_width, line_count)
        self.refresh()

    def line_window(self, index: int, x: int, width: int) -> tuple[Text, int]:
        """Line ``index`` and the column it is cut from: whole, or only ``width`` columns from ``x``
        when it is very long (never render a megabyte to show a window of it)."""
        text = self.line(index)
        if len(text) > LONG_LINE:
            return text[x : x + width + 1], x
        return text, 0

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index, width, base = scroll_y + y, self.size.width, self.rich_style
        if not 0 <= index < self.line_count:
            return Strip.blank(width, base)
        text, cut = self.line_window(index, scroll_x, width)
        text.expand_tabs(8)
        text.stylize_before(base)
        strip = Strip(text.render(self.app.console, end=""))
        start = scroll_x - cut
        return strip.crop_extend(start, start + width, base).apply_offsets(scroll_x, index)

    def screen_lines(self) -> list[str]:
        """The rows the pane shows now, as text (what a user reads; for tests)."""
        return ["".join(s.text for s in self.render_line(y)) for y in range(self.size.height)]
