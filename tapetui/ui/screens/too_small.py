"""What the app shows instead of its panes when the terminal is too small to hold them."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Static


class TooSmallScreen(Screen[None]):
    """``terminal too small (needs W×H)`` until the terminal grows; ``q`` still quits.

    | Key | Action |
    | :- | :- |
    | q | quit |
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("q", "app.quit", "Quit")]
    DEFAULT_CSS = """
    TooSmallScreen { align: center middle; }
    TooSmallScreen > Static { width: auto; }
    """

    def __init__(self, width: int, height: int) -> None:
        super().__init__()
        self.needs = (width, height)
        """The smallest terminal, columns × rows, the app's panes are shown in."""

    @property
    def message(self) -> str:
        return f"terminal too small (needs {self.needs[0]}×{self.needs[1]})"

    def compose(self) -> ComposeResult:
        yield Static(Text(self.message))
