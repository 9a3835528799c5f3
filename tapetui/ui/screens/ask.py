"""A one-line question docked at the bottom: what to search for (``/``), which line (``:``)."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from tapetui.ui.literal import content_line


class AskScreen(ModalScreen[str | None]):
    """Asks for one line of text; Enter answers it, Escape cancels.

    | Key | Action |
    | :- | :- |
    | enter | answer |
    | escape | cancel |
    """

    DEFAULT_CSS = """
    AskScreen { background: $background 30%; }
    AskScreen > Horizontal {
        dock: bottom; height: 2; width: 1fr; background: $panel;
        border-top: solid $primary; padding: 0 1;
    }
    AskScreen Label { width: auto; padding: 0 1 0 0; color: $text-primary; text-style: bold; }
    AskScreen Input { width: 1fr; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, prompt: str, placeholder: str = "", value: str = "") -> None:
        super().__init__()
        self.prompt, self.placeholder, self.value = prompt, placeholder, value

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield Label(content_line(self.prompt))
            yield Input(self.value, placeholder=self.placeholder, compact=True)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)
