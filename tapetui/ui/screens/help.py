"""The help screen: every key of the debugger and what the panes show."""

from __future__ import annotations

import textwrap
from collections.abc import Iterable
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from tapetui.ui.widgets.graph import HELP as GRAPH_KEYS
from tapetui.ui.widgets.timeline import LEGEND

if TYPE_CHECKING:
    from textual.app import App

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
    (
        "source",
        "the scenario; ▶ the current line, ● a why-None evidence line; click a line to go to "
        "its steps; shift+wheel, or ←/→ once it has the focus, scroll it sideways; a notebook "
        "shows its cells under ── cell 3 ── headings, each line numbered in its cell",
    ),
    ("step", "the op's inputs and outputs, or the chain rule of a backward step"),
    (
        "output (o)",
        "what the scenario printed and its traceback; under them, in a terminal that shows "
        "images (Kitty, Sixel), the figures it showed (plt.show, savefig); elsewhere its "
        "[figure shown at line 9, saved as …] lines give their paths",
    ),
    ("graph (d)", "the gradient call's graph in place of the tapes pane (its keys above)"),
    ("timeline", "the steps around the cursor (click one to go there); ∂ backward, Σ sums"),
]


def bindings_table(app: App[object], bindings: Iterable[BindingType]) -> list[tuple[str, str]]:
    """Each binding's keys as the app shows them, and what it does."""
    rows: list[tuple[str, str]] = []
    for binding in bindings:
        if isinstance(binding, Binding):
            keys = " / ".join(
                app.get_key_display(Binding(k, binding.action)) for k in binding.key.split(",")
            )
            rows.append((keys, binding.tooltip or binding.description))
    return rows


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
        keys = [*self.keys, ("ctrl+p", "command palette")]
        self._rows(text, [(k, "bold cyan", d) for k, d in keys], 14)
        text.append("\nin the graph (d)\n", style="bold")
        self._rows(text, [(k, "bold cyan", d) for k, d in GRAPH_KEYS], 16)
        text.append("\npanes\n", style="bold")
        self._rows(text, [(pane, "bold", meaning) for pane, meaning in PANES], 18)
        text.append("\ntimeline\n", style="bold")
        self._rows(text, [(sample, style, meaning) for sample, style, meaning in LEGEND], 20)
        if CAUSE_CODES:
            text.append("\nwhy a gradient is None\n", style="bold")
            self._rows(text, [(c, "yellow", m) for c, m in CAUSE_CODES.items()], 26)
        return text

    def _rows(self, text: Text, rows: list[tuple[str, str, str]], column: int) -> None:
        """Each row's name (in its style) and its words from ``column``, wrapped to the box's
        width back to that column (wrapping at the box's edge would start lines at its left)."""
        room = max(self._width() - column, 20)
        for name, style, words in rows:
            text.append("  ")
            text.append(f"{name:<{column - 2}}", style=style or None)
            text.append(("\n" + " " * column).join(textwrap.wrap(words, room)) + "\n")

    def _width(self) -> int:
        """Columns inside the help's box (80% of the screen, at most 90, less border, padding
        and scroll bar)."""
        return min(90, self.app.size.width * 4 // 5) - 6

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)
