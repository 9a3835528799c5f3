"""The key bar at the bottom of each screen: its keys on one line, drawn by one widget."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import events
from textual.screen import Screen
from textual.widget import Widget

KEPT = frozenset({"help", "app.quit", "quit"})
"""Actions whose keys the bar always shows, however narrow the terminal (Help and Quit)."""

SEPARATOR = "▏"
"""Between the screen's keys and the command palette's key on the right, as in Textual's Footer."""


@dataclass(frozen=True, slots=True)
class ShownKey:
    """One key on the bar: what is pressed, what it is shown as, what it does."""

    key: str
    display: str
    description: str
    tooltip: str
    enabled: bool
    action: str = ""

    @property
    def width(self) -> int:
        """Columns it takes on the bar: `` n Next `` (the palette's: ``▏^p palette ``)."""
        return cell_len(self.display) + cell_len(self.description) + 3


def shown_keys(screen: Screen[Any]) -> tuple[list[ShownKey], ShownKey | None]:
    """The screen's keys to show (one per action, in binding order) and the palette's key."""
    app = screen.app
    palette_binding = app.COMMAND_PALETTE_BINDING if app.ENABLE_COMMAND_PALETTE else None
    keys: list[ShownKey] = []
    palette: ShownKey | None = None
    actions: set[str] = set()
    for key, (_, binding, enabled, tooltip) in screen.active_bindings.items():
        shown = ShownKey(
            binding.key,
            app.get_key_display(binding),
            binding.description,
            tooltip or binding.tooltip or binding.description,
            enabled,
            binding.action,
        )
        if key == palette_binding:
            palette = shown
        elif binding.show and binding.action not in actions:
            actions.add(binding.action)
            keys.append(shown)
    return keys, palette


class KeyBar(Widget, can_focus=False):
    """The screen's keys (as Textual's Footer shows them), and the command palette's on the right.

    Clicking a key presses it; hovering shows what it does. One widget draws the whole line, in
    the screen's first paint: Textual's Footer is a container with a widget per key, built one
    refresh after the screen first reports its bindings, and building and styling those was
    about half the time from composing the debugger to its first paint.
    """

    ALLOW_SELECT = False
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "key-bar--key",
        "key-bar--description",
        "key-bar--hover",
    }
    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
        text-wrap: nowrap;
        pointer: pointer;
        .key-bar--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        .key-bar--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        .key-bar--hover {
            background: $block-hover-background;
        }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.keys: list[ShownKey] = []
        """The screen's keys on the bar, left to right."""
        self.palette: ShownKey | None = None
        """The command palette's key, on the right (``None`` when the app has no palette)."""
        self._hover: ShownKey | None = None

    def on_mount(self) -> None:
        self.keys, self.palette = shown_keys(self.screen)
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[Any]) -> None:
        if screen is not self.screen:
            return
        shown = shown_keys(screen)
        if shown != (self.keys, self.palette):
            self.keys, self.palette = shown
            self.refresh()

    # drawing ----------------------------------------------------------------------------------

    def shown(self) -> list[ShownKey]:
        """The keys that fit, left to right: Help and Quit always, then the others in order
        as long as each fits (one that does not is left out whole, never cut)."""
        room = self.size.width - (self.palette.width if self.palette is not None else 0)
        room -= sum(k.width for k in self.keys if k.action in KEPT)
        fitting: set[int] = set()
        for position, shown in enumerate(self.keys):
            if shown.action not in KEPT and shown.width <= room:
                fitting.add(position)
                room -= shown.width
        return [k for i, k in enumerate(self.keys) if i in fitting or k.action in KEPT]

    def render(self) -> Text:
        left = Text(no_wrap=True, overflow="crop")
        for shown in self.shown():
            left.append_text(self._key_text(shown))
        if self.palette is None:
            return left
        right = Text(SEPARATOR, style=self._separator_style(), no_wrap=True)
        right.append_text(self._key_text(self.palette, palette=True))
        room = self.size.width - right.cell_len
        left.truncate(max(room, 0), pad=True)
        return Text.assemble(left, right, no_wrap=True, overflow="crop")

    def _key_text(self, shown: ShownKey, palette: bool = False) -> Text:
        key = self.get_component_rich_style("key-bar--key")
        description = self.get_component_rich_style("key-bar--description")
        if shown == self._hover:
            hover = self.get_component_rich_style("key-bar--hover")
            key, description = key + hover, description + hover
        if not shown.enabled:
            key, description = key + Style(dim=True), description + Style(dim=True)
        if palette:  # drawn as Textual's Footer draws it: ``▏^p palette ``
            return Text.assemble((shown.display, key), (f" {shown.description} ", description))
        return Text.assemble((f" {shown.display} ", key), (f"{shown.description} ", description))

    def _separator_style(self) -> Style:
        foreground = self.styles.color.with_alpha(0.2)
        return Style(color=(self.styles.background + foreground).rich_color)

    # the mouse --------------------------------------------------------------------------------

    def key_at(self, x: int) -> ShownKey | None:
        """The key drawn at column ``x``, if any."""
        if self.palette is not None and x >= self.size.width - self.palette.width:
            return self.palette
        start = 0
        for shown in self.shown():
            if start <= x < start + shown.width:
                return shown
            start += shown.width
        return None

    def on_mouse_move(self, event: events.MouseMove) -> None:
        hover = self.key_at(event.x)
        if hover != self._hover:
            self._hover = hover
            self.tooltip = hover.tooltip if hover is not None else None
            self.refresh()

    def on_leave(self, _: events.Leave) -> None:
        if self._hover is not None:
            self._hover = None
            self.tooltip = None
            self.refresh()

    def on_mouse_down(self, event: events.MouseDown) -> None:
        shown = self.key_at(event.x)
        if shown is None:
            return
        if shown.enabled:
            self.app.simulate_key(shown.key)
        else:
            self.app.bell()
