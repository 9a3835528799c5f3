"""The help screen: every key of the debugger and what the panes show."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from tapetui.ui.widgets.timeline import LEGEND

try:
    from tapetui.explain import CAUSE_CODES
except ImportError:  # the help reads without the explainer's vocabulary
    CAUSE_CODES = {}

INTRO = (
    "tapetui steps through what tf.GradientTape recorded: forward ops, gradient calls and the "
    "backward steps TensorFlow ran, in the order they ran."
)

PANES = [
    ("tapes", "each tape, what it watched; gradient calls and their results (click one)"),
    ("source", "the scenario; ▶ the current line, ● a why-None evidence line; click a line"),
    ("", "to go to its steps; shift+wheel, or ←/→ once it has the focus, scroll it sideways"),
    ("step", "the op's inputs and outputs, or the chain rule of a backward step"),
    ("timeline", "the steps around the cursor (click one to go there); ∂ backward, Σ sums"),
]


class HelpScreen(ModalScreen[None]):
    """Keys and panes.

    | Key | Action |
    | :- | :- |
    | escape / q / ? | close help |
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss", "Close help"),
    ]

    def __init__(self, keys: list[tuple[str, str]]) -> None:
        super().__init__()
        self.keys = keys

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body"):
            yield Static(self.help_text())

    def on_mount(self) -> None:
        self.query_one("#help-body").border_title = "help"

    def help_text(self) -> Text:
        text = Text()
        text.append(INTRO + "\n\n")
        text.append("keys\n", style="bold")
        for key, description in self.keys:
            text.append(f"  {key:<12}", style="bold cyan")
            text.append(f"{description}\n")
        text.append("  ctrl+p      ", style="bold cyan")
        text.append("command palette\n\n")
        text.append("panes\n", style="bold")
        for pane, meaning in PANES:
            text.append(f"  {pane:<16}", style="bold")
            text.append(f"{meaning}\n")
        text.append("\ntimeline\n", style="bold")
        for sample, style, meaning in LEGEND:
            text.append("  ")
            text.append(f"{sample:<18}", style=style or None)
            text.append(f"{meaning}\n")
        if CAUSE_CODES:
            text.append("\nwhy a gradient is None\n", style="bold")
            for code, meaning in CAUSE_CODES.items():
                text.append(f"  {code:<24}", style="yellow")
                text.append(f"{meaning}\n")
        return text

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)
