"""The Textual app: opens the picker for several scenarios, else the debugger on one."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, ClassVar

from textual.app import App, SystemCommand
from textual.screen import Screen

from tapetui.trace import Trace
from tapetui.ui.scenarios import ScenarioEntry
from tapetui.ui.screens.debugger import DebuggerScreen

if TYPE_CHECKING:
    from tapetui.record.budget import Budget
    from tapetui.record.warm import WarmPool


class TapeTuiApp(App[int]):
    """tapetui: step through what tf.GradientTape recorded."""

    CSS_PATH = "app.tcss"
    TITLE = "tapetui"
    ENABLE_COMMAND_PALETTE = True
    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = [(0, "-narrow"), (100, "-wide")]

    def __init__(
        self,
        *,
        scenarios: list[ScenarioEntry] | None = None,
        trace: Trace | None = None,
        seed: int = 0,
        warm: bool = True,
        budget: Budget | None = None,
    ) -> None:
        super().__init__()
        self.scenarios = scenarios or []
        self.trace = trace
        self.seed = seed
        self.budget = budget
        """What recordings keep (``None``: the default budget)."""
        self.warm: WarmPool | None = None
        """The recording child kept ready (TensorFlow imported) for the next recording; it
        starts once the first screen is painted (its import would compete with the paint), and
        the first recording, queued after the same paint, then finds it."""
        if warm and trace is None:
            from tapetui.record.warm import WarmPool

            self.warm = WarmPool()

    def get_default_screen(self) -> Screen:
        """The first screen is the debugger or the picker itself, not one pushed over a blank one.

        A screen pushed from ``on_mount`` is laid out and painted while Textual still holds the
        app's start-up batch, so that first paint is thrown away and done again.
        """
        if self.trace is not None:
            return DebuggerScreen(trace=self.trace)
        if len(self.scenarios) == 1:
            return DebuggerScreen(scenario=self.scenarios[0].path, seed=self.seed)
        from tapetui.ui.screens.picker import PickerScreen  # only here: startup is faster

        return PickerScreen(self.scenarios, seed=self.seed)

    def on_mount(self) -> None:
        if self.warm is not None:
            self.call_after_refresh(self.warm.start)

    def on_unmount(self) -> None:
        if self.warm is not None:
            self.warm.close()

    @property
    def ready(self) -> bool:
        """True when nothing is still recording (what a headless screenshot waits for)."""
        screen = self.screen
        return not isinstance(screen, DebuggerScreen) or screen.ready

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if isinstance(screen, DebuggerScreen):
            for title, help_text, action in screen.PALETTE:
                yield SystemCommand(title, help_text, getattr(screen, f"action_{action}"))
