"""The debugger's panes in a small terminal: one at a time, ``x`` to switch, below 72 columns.

At 60 columns three panes side by side leave the source 16 columns wide; one pane at the whole
width reads as well as on a big screen. Opening the why or the output pane (``w``, ``o``, a
click on a gradient call) shows the right-hand pane by itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import events

if TYPE_CHECKING:
    from textual.screen import Screen
    from textual.widgets import ContentSwitcher

    _Screen = Screen[None]
    """What the mixin is mixed into, for the type checker; a plain class at run time."""
else:
    _Screen = object

SINGLE_BELOW = 72
"""Narrower than this many columns, the panes are shown one at a time."""
PANES = ("source", "right", "tapes")
"""The order ``x`` cycles through: the source, the step detail (or why, or output), the tapes."""


class PaneLayout(_Screen):
    """One pane at a time in a narrow terminal (a mixin for the debugger screen)."""

    shown_pane = "source"
    """The pane shown by itself when the terminal is narrow."""

    if TYPE_CHECKING:

        @property
        def switcher(self) -> ContentSwitcher: ...

    @property
    def single(self) -> bool:
        """Whether the panes are shown one at a time."""
        return self.query_one("#panes").has_class("-single")

    def on_resize(self, event: events.Resize) -> None:
        self.fit_panes(event.size.width)

    def fit_panes(self, width: int) -> None:
        """One pane at a time below :data:`SINGLE_BELOW` columns, all three above."""
        single = width < SINGLE_BELOW
        if single != self.single:
            self.query_one("#panes").set_class(single, "-single")
            self.refresh_bindings()  # x (switch pane) is a key only then
        self._show(self.shown_pane)

    def watch_right_pane(self) -> None:
        """Follow the right-hand pane's switches (why, output) in a narrow terminal."""
        self.watch(self.switcher, "current", self._right_switched, False)

    def _right_switched(self, current: str | None) -> None:
        if self.single and current in ("why", "output"):
            self._show("right")

    def _show(self, pane: str) -> None:
        self.shown_pane = pane
        for name in PANES:
            self.query_one(f"#{name}").set_class(name == pane, "-shown")

    def action_switch_pane(self) -> None:
        """Show the next pane (source → step → tapes) when they are shown one at a time."""
        self._show(PANES[(PANES.index(self.shown_pane) + 1) % len(PANES)])

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "switch_pane":
            return self.single
        return super().check_action(action, parameters)
