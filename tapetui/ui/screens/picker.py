"""The scenario picker: each scenario with its docstring's first line, grouped by folder; enter
opens it."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from tapetui.ui.literal import literal_line
from tapetui.ui.scenarios import ScenarioEntry, folders
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
        yield OptionList(*self.options(), id="scenarios")
        yield KeyBar()

    def options(self) -> list[Option]:
        """One option per scenario; with several folders, each folder's under its name."""
        groups = folders(self.entries)
        if len(groups) == 1:
            return [Option(self.prompt(e), id=str(i)) for i, e in enumerate(self.entries)]
        options: list[Option] = []
        for folder, indices in groups:
            options.append(Option(literal_line(f"{folder}/", "bold underline"), disabled=True))
            for i in indices:
                options.append(Option(self.prompt(self.entries[i], grouped=True), id=str(i)))
        return options

    @staticmethod
    def prompt(entry: ScenarioEntry, grouped: bool = False) -> Text:
        """The path (only the file name under its folder's heading) and the docstring's line."""
        text = literal_line(Path(entry.path).name if grouped else entry.path, "bold")
        if entry.title:
            text.append("\n")
            text.append_text(literal_line(f"  {entry.title}", "dim"))
        return text

    def on_mount(self) -> None:
        self.query_one("#scenarios").border_title = "scenarios"

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        entry = self.entries[int(event.option.id or 0)]
        self.app.push_screen(DebuggerScreen(scenario=entry.path, seed=self.seed))
