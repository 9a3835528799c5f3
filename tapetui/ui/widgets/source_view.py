"""The scenario's source with line numbers, the current line marked and evidence lines lit.

Only the lines on screen are rendered, so a step costs the same in a 20,000-line file as in a
20-line one; the file is split into lines once, when another file is shown. The line numbers
and markers stay put while the text scrolls sideways (arrow keys, shift and the mouse wheel);
widths are counted in terminal cells, so wide characters (CJK, emoji) and tabs (expanded to
8-column stops when the file is split) keep every row aligned with its number.

A notebook's source shows its cells as the notebook does: a heading row ``── cell 3 ──`` above
each, and each line numbered within its cell (``tapetui.trace.cells``); the rows stay the file's
lines, so stepping and clicking work as in a ``.py`` file.
"""

from __future__ import annotations

from rich.cells import cell_len, get_character_cell_size
from rich.text import Text
from textual import events
from textual.message import Message
from textual.strip import Strip

from tapetui.trace.cells import CellMap
from tapetui.trace.printable import printable
from tapetui.ui.literal import content_line
from tapetui.ui.widgets.window_view import LONG_LINE, WindowView

NO_SOURCE = "(no source recorded)"


def cell_window(line: str, x: int, width: int) -> tuple[str, int]:
    """The characters of ``line`` covering cells ``x`` to ``x + width``, and the cell they start
    at (at most ``x``; a wide character cut by the edge is included whole)."""
    column, begin, start_cell = 0, None, x
    for position, char in enumerate(line):
        size = get_character_cell_size(char)
        if begin is None and column + size > x:
            begin, start_cell = position, column
        if column >= x + width:
            return line[begin:position], start_cell
        column += size
    if begin is None:
        return "", x
    return line[begin:], start_cell


def not_run(cells: CellMap) -> frozenset[int]:
    """The file lines of a notebook that were not run: magics, shell lines, a cell magic's
    whole cell."""
    rows: set[int] = set()
    for item in cells.skipped:
        cell = next((c for c in cells.cells if c.number == item.cell), None)
        if cell is None:
            continue
        if item.kind == "cell magic":
            rows.update(range(cell.start + 1, cell.start + cell.lines + 1))
        elif item.line <= cell.lines:
            rows.add(cell.start + item.line)
    return frozenset(rows)


class SourceView(WindowView):
    """Source text; ``current`` is the line the debugger stands on, ``evidence`` why-None lines."""

    DEFAULT_CSS = """
    SourceView { height: 1fr; overflow-x: auto; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.source = ""
        self.current: int | None = None
        self.evidence: frozenset[int] = frozenset()
        self.lines: list[str] = [NO_SOURCE]
        """The shown file's lines, control characters made visible."""
        self._number_width = 1
        self._split_from: str | None = None
        self.cells: CellMap | None = None
        """The notebook's cell map when the source is a notebook's."""
        self._labels: list[str] | None = None
        self._skipped: frozenset[int] = frozenset()
        """Rows of a notebook's lines that were not run (magics, shell lines): dimmed."""
        """Each row's number as shown (a cell's own line numbers; "" on a cell's heading)."""

    def show(
        self,
        source: str,
        current: int | None,
        evidence: frozenset[int] = frozenset(),
        title: str | None = None,
        cells: CellMap | None = None,
    ) -> None:
        """Show ``source`` with ``current`` marked and scrolled into view (``cells``: the
        source is this notebook's)."""
        if source is not self._split_from or cells is not self.cells:  # each file split once
            self.cells = cells
            self._split(source)
        self.current, self.evidence = current, evidence
        if title is not None:
            self.border_title = content_line(title)
        self.refresh()
        if self.size.height:
            self._follow()  # now, so the step paints once, already scrolled
        else:  # not laid out yet: once it is
            self.call_after_refresh(self._follow)

    @property
    def gutter_width(self) -> int:
        """Cells the line number and marker take (``12▶ ``), left of the scrolling text."""
        return self._number_width + 2

    def _follow(self) -> None:
        """Scroll the current line a third down the pane, its text's start in view sideways."""
        if self.current is None or not 0 < self.current <= len(self.lines):
            return
        line = self.lines[self.current - 1]
        room = max(1, self.size.width - self.gutter_width)
        indent = cell_len(line) - cell_len(line.lstrip())
        x = self.scroll_x
        if cell_len(line) <= room:
            x = 0
        elif not x <= indent < x + room:
            x = max(0, indent - 4)
        y = max(0, self.current - 1 - self.size.height // 3)
        self.scroll_to(x=x, y=y, animate=False)

    def _split(self, source: str) -> None:
        self.source = self._split_from = source
        lines = [printable(line).expandtabs(8) for line in source.splitlines()]
        self.lines = lines or [NO_SOURCE]
        self._labels = self._cell_labels()
        self._skipped = not_run(self.cells) if self.cells is not None else frozenset()
        if self._labels is not None:
            for row, label in enumerate(self._labels):
                if not label and self.cells is not None:
                    where = self.cells.locate(row + 1)
                    self.lines[row] = f"── cell {where[0] if where else '?'} ──"
        labels = self._labels or [str(len(self.lines))]
        self._number_width = max(len(label) for label in labels) or 1
        widest = max(cell_len(line) for line in self.lines)
        # One blank row after the last line, as the listing always had (the scrollbars agree).
        self.set_extent(len(self.lines) + 1, self.gutter_width + widest)

    def _cell_labels(self) -> list[str] | None:
        if self.cells is None:
            return None
        labels = []
        for row in range(len(self.lines)):
            where = self.cells.locate(row + 1)
            labels.append(str(row + 1) if where is None else str(where[1] or ""))
        return labels

    def _style(self, number: int) -> str:
        labels = self._labels
        if labels is not None and number <= len(labels) and not labels[number - 1]:
            return "bold" if number != self.current else "reverse"  # a cell's heading
        if number in self._skipped and number != self.current:
            return "dim"
        if number == self.current:
            return "reverse"
        return "bold yellow" if number in self.evidence else ""

    def line(self, index: int) -> Text:
        """Line ``index`` whole, with its number and marker (unscrolled)."""
        if index >= len(self.lines):
            return Text()
        text = self._gutter(index)
        text.append(self.lines[index], style=self._style(index + 1) or None)
        return text

    def _gutter(self, index: int) -> Text:
        number = index + 1
        marker = "▶" if number == self.current else ("●" if number in self.evidence else " ")
        style = self._style(number)
        text = Text(no_wrap=True)
        shown = str(number) if self._labels is None else self._labels[index]
        text.append(f"{shown:>{self._number_width}}{marker}", style=style or "dim")
        text.append(" ", style=style or None)
        return text

    def render_line(self, y: int) -> Strip:
        """The gutter as it is, then the line's text from the horizontal scroll offset."""
        scroll_x, scroll_y = self.scroll_offset
        index, width, base = scroll_y + y, self.size.width, self.rich_style
        if not 0 <= index < len(self.lines):
            return Strip.blank(width, base)
        gutter = self._gutter(index)
        gutter.stylize_before(base)
        room = max(0, width - self.gutter_width)
        line, cut = self.lines[index], 0
        if len(line) > LONG_LINE:  # never render a megabyte to show a window of it
            line, cut = cell_window(line, scroll_x, room)
        body = Text(line, style=self._style(index + 1) or "", no_wrap=True, end="")
        body.stylize_before(base)
        console = self.app.console
        left = Strip(gutter.render(console, end="")).crop_extend(0, self.gutter_width, base)
        start = scroll_x - cut
        right = Strip(body.render(console, end="")).crop_extend(start, start + room, base)
        return Strip.join([left, right]).apply_offsets(scroll_x, index)

    class LineClicked(Message):
        """A source line was clicked (``line`` is 1-based)."""

        def __init__(self, line: int) -> None:
            super().__init__()
            self.line = line

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        line = None if offset is None else self.line_at(offset.y)
        if line is not None:
            self.post_message(self.LineClicked(line))

    def line_at(self, y: int) -> int | None:
        """The 1-based source line shown on row ``y`` of the pane, if any."""
        index = self.scroll_offset.y + y
        return index + 1 if 0 <= index < len(self.lines) and self.source else None

    @property
    def current_text(self) -> str:
        """The text of the highlighted line."""
        lines = self.source.splitlines()
        if self.current is None or not 0 < self.current <= len(lines):
            return ""
        return lines[self.current - 1]
