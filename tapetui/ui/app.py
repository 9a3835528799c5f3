"""The Textual app: opens the picker for several scenarios, else the debugger on one."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events
from textual.app import App, SystemCommand
from textual.command import CommandPalette
from textual.geometry import Size
from textual.screen import Screen

from tapetui.trace import Trace
from tapetui.ui.scenarios import ScenarioEntry
from tapetui.ui.screens.debugger import DebuggerScreen
from tapetui.ui.screens.help import HelpScreen
from tapetui.ui.screens.too_small import TooSmallScreen

if TYPE_CHECKING:
    from tapetui.record.budget import Budget
    from tapetui.record.warm import WarmPool
    from tapetui.ui.watch import SaveWatch


class TapeTuiApp(App[int]):
    """tapetui: step through what tf.GradientTape recorded."""

    CSS_PATH = "app.tcss"
    TITLE = "tapetui"
    ENABLE_COMMAND_PALETTE = True
    # Textual declares it `ClassVar[...] | None`, which mypy reads as an instance variable:
    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = [(0, "-narrow"), (100, "-wide")]  # type: ignore[misc]
    rerecord_on_save: SaveWatch | None = None
    """``--watch``: record a debugged scenario again when its files are saved."""
    MIN_SIZE: ClassVar[tuple[int, int]] = (20, 10)
    """Columns × rows below which the app shows ``terminal too small`` instead of its panes.
    Below it, Textual 8.2.8's command palette crashes: PageDown at 4 rows or less (``KeyError``),
    typing at 4–6 columns (``ValueError``); the palette cannot open there."""

    def __init__(
        self,
        *,
        scenarios: list[ScenarioEntry] | None = None,
        trace: Trace | None = None,
        seed: int = 0,
        warm: bool = True,
        budget: Budget | None = None,
        at_gradient: bool = False,
    ) -> None:
        super().__init__()
        self.scenarios = scenarios or []
        self.trace = trace
        self.seed = seed
        self.budget = budget
        """What recordings keep (``None``: the default budget)."""
        self.at_gradient = at_gradient
        """Open the debugger on the first gradient call, not the first recorded op."""
        self.scenario_argv: tuple[str, ...] = ()
        """The scenario's ``sys.argv[1:]`` (``-- ARGS``), for every recording, re-runs included."""
        self.scenario_module: str | None = None
        """``-m MODULE``: the module the recordings run (its file is the scenario)."""
        self.warm: WarmPool | None = None
        """The recording child kept ready (TensorFlow imported) for the next recording; it
        starts once the first screen is painted (its import would compete with the paint), and
        the first recording, queued after the same paint, then finds it."""
        if warm and trace is None:
            from tapetui.record.warm import WarmPool

            self.warm = WarmPool()

    def get_default_screen(self) -> Screen[Any]:
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
        self._fit(self.size)
        if self.warm is not None:
            self.call_after_refresh(self.warm.start)

    def on_resize(self, event: events.Resize) -> None:
        self._fit(event.size)

    def _fit(self, size: Size) -> None:
        """Cover the panes with ``terminal too small`` below :attr:`MIN_SIZE`, uncover above."""
        width, height = self.MIN_SIZE
        small = size.width < width or size.height < height
        covered = isinstance(self.screen, TooSmallScreen)
        if small and not covered:
            while isinstance(self.screen, CommandPalette):
                self.pop_screen()
            self.push_screen(TooSmallScreen(width, height))
        elif covered and not small:
            self.pop_screen()

    def action_command_palette(self) -> None:
        if not isinstance(self.screen, TooSmallScreen):
            super().action_command_palette()

    def action_show_help_panel(self) -> None:
        """The palette's "Keys" shows tapetui's help: Textual 8.2.8's keys panel crashes when
        clicked while it rebuilds its table (which it does whenever the keys change)."""
        screen = self.screen
        if isinstance(screen, DebuggerScreen):
            screen.action_help()
        elif not isinstance(screen, (HelpScreen, TooSmallScreen)):
            rows = [
                (self.get_key_display(binding), binding.tooltip or binding.description)
                for _, binding, _, _ in screen.active_bindings.values()
                if binding.show
            ]
            self.push_screen(HelpScreen(rows))

    def on_unmount(self) -> None:
        if self.warm is not None:
            self.warm.close()

    @property
    def ready(self) -> bool:
        """True when nothing is still recording (what a headless screenshot waits for)."""
        screen = self.screen
        return not isinstance(screen, DebuggerScreen) or screen.ready

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if isinstance(screen, DebuggerScreen):
            for title, help_text, action in screen.PALETTE:
                yield SystemCommand(title, help_text, getattr(screen, f"action_{action}"))
