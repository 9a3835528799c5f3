"""The output pane: everything the scenario printed, then its traceback, however long.

The printed text stays one string; the pane keeps where each line starts (8 bytes a line) and
renders only the lines on screen, so 50 MB of output opens as fast as 5 lines and costs little
more memory than the text itself.
"""

from __future__ import annotations

from array import array
from itertools import accumulate

from rich.text import Text

from tapetui.trace import Trace
from tapetui.trace.cells import skipped_note
from tapetui.trace.printable import printable
from tapetui.ui.describe import Line
from tapetui.ui.widgets.lines_view import NONFINITE, NONFINITE_STYLE
from tapetui.ui.widgets.window_view import LONG_LINE, WindowView

_CHUNK = 1 << 20
"""Characters split at a time while finding line starts (bounds the temporary strings)."""


class PrintedText:
    """A text and the offsets its lines start at; line ``i`` without its ``\\n`` (or ``\\r\\n``)."""

    def __init__(self, text: str) -> None:
        end = len(text)
        while end and text[end - 1] == "\n":  # trailing newlines end the last line, no more
            end -= 1
        self.text, self.end = text, end
        self.starts = array("q", [0] if end else [])
        for chunk_start in range(0, end, _CHUNK):
            pieces = text[chunk_start : min(end, chunk_start + _CHUNK)].split("\n")
            after = accumulate((len(p) + 1 for p in pieces[:-1]), initial=chunk_start)
            next(after)
            self.starts.extend(after)
        self.widest = self._widest()

    def __len__(self) -> int:
        return len(self.starts)

    def __getitem__(self, index: int) -> str:
        start, stop = self.span(index)
        return self.text[start:stop]

    def span(self, index: int) -> tuple[int, int]:
        """Where line ``index`` starts and stops in :attr:`text`."""
        starts = self.starts
        stop = starts[index + 1] - 1 if index + 1 < len(starts) else self.end
        if stop > starts[index] and self.text[stop - 1] == "\r":
            stop -= 1
        return starts[index], stop

    def _widest(self) -> int:
        if not self.starts:
            return 0
        lengths = map(int.__sub__, self.starts[1:], self.starts)
        return max(max(lengths, default=1) - 1, self.end - self.starts[-1])  # less the newline


def printed_parts(trace: Trace) -> tuple[PrintedText, list[Line]]:
    """What the scenario printed, and the styled lines after it (its traceback if it raised)."""
    printed = PrintedText(trace.output())
    after: list[Line] = [] if len(printed) else [("(the scenario printed nothing)", "dim")]
    if trace.notebook is not None:  # what of the notebook did not run
        after += [(f"tapetui: {skipped_note(item)}", "yellow") for item in trace.notebook.skipped]
    if trace.error is not None:
        tb = trace.error.traceback.rstrip() or f"{trace.error.type}: {trace.error.message}"
        after += [("", ""), *((row, "red") for row in tb.splitlines())]
    return printed, after


class OutputView(WindowView):
    """What the scenario printed, shown literally; scroll with the arrows, PageUp/Down, Home/End."""

    DEFAULT_CSS = """
    OutputView { height: 1fr; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.printed = PrintedText("")
        self.after: list[Line] = []

    def show_trace(self, trace: Trace) -> None:
        """Show what ``trace``'s scenario printed, from its first line."""
        self.printed, self.after = printed_parts(trace)
        widest = max([self.printed.widest, *(len(row) for row, _ in self.after)])
        self.set_extent(len(self.printed) + len(self.after), widest)
        self.scroll_home(animate=False)

    def line(self, index: int) -> Text:
        count = len(self.printed)
        if index < count:
            return self._text(self.printed[index])
        return self._text(*self.after[index - count])

    def line_window(self, index: int, x: int, width: int) -> tuple[Text, int]:
        if index < len(self.printed):
            start, stop = self.printed.span(index)
            if stop - start > LONG_LINE:  # cut before anything is made of it
                row = self.printed.text[start + x : min(stop, start + x + width + 1)]
                return self._text(row), x
        return super().line_window(index, x, width)

    @staticmethod
    def _text(row: str, style: str = "") -> Text:
        text = Text(printable(row), style=style, no_wrap=True)
        text.highlight_regex(NONFINITE, NONFINITE_STYLE)
        return text

    @property
    def plain(self) -> str:
        """All the pane's text, line by line (for tests; a big output makes a big string)."""
        return "\n".join(str(self.line(i)) for i in range(self.line_count))
