"""The scenario picker: each scenario with its docstring's first line; enter opens it."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from tapetui.ui.scenarios import ScenarioEntry
from tapetui.ui.screens.debugger import DebuggerScreen
from tapetui.ui.widgets.key_bar import KeyBar


class PickerScreen(Screen[None]):
    """Choose a scenario to record and step through.

    | Key | Action |
    | :- | :- |
    | up / down | move |
    | enter | open the scenario |
    | q | quit |
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "app.quit", "Quit"),
    ]

    def __init__(self, entries: list[ScenarioEntry], seed: int = 0) -> None:
        super().__init__()
        self.entries = entries
        self.seed = seed

    def compose(self) -> ComposeResult:
        yield Static(
            f"{len(self.entries)} scenarios · enter opens one · esc comes back here",
            id="picker-hint",
        )
        yield OptionList(
            *(Option(self.prompt(e), id=str(i)) for i, e in enumerate(self.entries)),
            id="scenarios",
        )
        yield KeyBar()

    @staticmethod
    def prompt(entry: ScenarioEntry) -> Text:
        text = Text(entry.path, style="bold")
        if entry.title:
            text.append(f"\n  {entry.title}", style="dim")
        return text

    def on_mount(self) -> None:
        self.query_one("#scenarios").border_title = "scenarios"

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        entry = self.entries[int(event.option.id or 0)]
        self.app.push_screen(DebuggerScreen(scenario=entry.path, seed=self.seed))
