"""Textual's Footer, composed again only when the keys it shows change."""

from __future__ import annotations

from typing import Any

from textual.screen import Screen
from textual.widgets import Footer


class KeysFooter(Footer):
    """The key bar. A screen says its bindings changed several times while it starts (when it
    becomes active, when focus first lands), and Textual's Footer rebuilds and restyles every
    key each time; this one does so only when the keys, their enabled state or tooltips differ
    from what it shows."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._shown: tuple[Any, ...] | None = None

    def bindings_changed(self, screen: Screen) -> None:
        if self.is_attached and screen is self.screen:
            shown = tuple(
                (binding, enabled, tooltip)
                for (_, binding, enabled, tooltip) in screen.active_bindings.values()
                if binding.show
            )
            if shown == self._shown and screen.app.app_focus:
                return
            if screen.app.app_focus:
                self._shown = shown
        super().bindings_changed(screen)
