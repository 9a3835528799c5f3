"""One line saying what the debugger is doing: recording, finished, or what went wrong."""

from __future__ import annotations

from textual.reactive import reactive
from textual.widgets import Static

from tapetui.ui.literal import content_line


class StatusLine(Static):
    """The recording status and where the cursor is."""

    DEFAULT_CSS = """
    StatusLine { height: 1; padding: 0 1; background: $panel; }
    StatusLine.-busy { color: $warning; }
    StatusLine.-failed { color: $error; }
    """

    message: reactive[str] = reactive("", init=False)
    """The text shown (literally: it may name the scenario's file or exception)."""

    def watch_message(self, message: str) -> None:
        self.update(content_line(message))
