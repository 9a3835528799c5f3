"""Search, go-to-line and the mouse in the debugger: what ``/``, ``f``, ``:`` and clicks do.

Mixed into :class:`~tapetui.ui.screens.debugger.DebuggerScreen`; the searching itself is plain
Python in :mod:`tapetui.ui.jump`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tapetui.trace.cells import line_words
from tapetui.ui.jump import asked_line, line_step, search
from tapetui.ui.widgets.lines_view import LinesView
from tapetui.ui.widgets.source_view import SourceView
from tapetui.ui.widgets.timeline import Timeline

if TYPE_CHECKING:
    from collections.abc import Callable

    from textual.screen import Screen
    from textual.widgets import ContentSwitcher

    from tapetui.trace import Trace
    from tapetui.ui.steps import Step, Stepper

if TYPE_CHECKING:
    _Screen = Screen[None]
    """What the mixin is mixed into, for the type checker; a plain class at run time."""
else:
    _Screen = object

SEARCH_HINT = "op type, tensor or variable name, or line: Mul, loss, 35"


class Driving(_Screen):
    """The debugger's search and jump actions (a mixin: the screen gives trace and stepper)."""

    trace: Trace | None
    stepper: Stepper | None
    last_query = ""
    """The last search, repeated by ``f`` (forward) and ``F`` (backward)."""

    if TYPE_CHECKING:

        def _move(self, moved: object, nothing: str) -> None: ...
        def action_why(self) -> None: ...
        @property
        def switcher(self) -> ContentSwitcher: ...

    @property
    def shown_file(self) -> str | None:
        """The file the source pane shows (the current step's, else the scenario)."""
        if self.trace is None:
            return None
        step = self.stepper.current if self.stepper is not None else None
        file = step.file if step is not None else None
        return file if file in self.trace.sources else self.trace.scenario

    def _ask(self, prompt: str, hint: str, value: str, then: Callable[[str | None], None]) -> None:
        if self.trace is None or self.stepper is None:
            return
        from tapetui.ui.screens.ask import AskScreen  # only here: Input is not needed at start

        self.app.push_screen(AskScreen(prompt, hint, value), then)

    # / and f ----------------------------------------------------------------------------------

    def action_search(self) -> None:
        """Ask what to search for, then go to the first matching step after the cursor."""
        self._ask("search /", SEARCH_HINT, self.last_query, self._search_for)

    def _search_for(self, query: str | None) -> None:
        if query is None or not query.strip():
            return
        self.last_query = query.strip()
        self.refresh_bindings()  # the key bar now shows f (again)
        self._find(forward=True)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """``f`` and ``F`` are keys (and on the key bar) once there is a search to repeat."""
        if action in ("search_next", "search_previous"):
            return bool(self.last_query)
        return super().check_action(action, parameters)

    def action_search_next(self) -> None:
        self._find(forward=True)

    def action_search_previous(self) -> None:
        self._find(forward=False)

    def _find(self, forward: bool) -> None:
        if self.trace is None or self.stepper is None:
            return
        if not self.last_query:
            self.notify("nothing searched yet: / searches the steps", timeout=2)
            return
        here = self.stepper.index
        index = search(self.trace, self.stepper.steps, self.last_query, here, forward)
        if index is None:
            self.notify(f"no step matches “{self.last_query}”", timeout=3, markup=False)
            return
        if index == here:
            self.notify(f"this is the only step matching “{self.last_query}”", markup=False)
        elif (index < here) == forward:
            where = "first" if forward else "last"
            self.notify(f"search wrapped round to the {where} match", timeout=2)
        self._move(self.stepper.go(index), "")

    # the mouse --------------------------------------------------------------------------------

    def on_source_view_line_clicked(self, message: SourceView.LineClicked) -> None:
        """A line: its first step; the same line again: its next step."""
        self.go_to_line(message.line, again=True)

    def on_timeline_step_clicked(self, message: Timeline.StepClicked) -> None:
        if self.stepper is not None:
            self._move(self.stepper.go(message.index), "")

    def on_lines_view_clicked(self, message: LinesView.Clicked) -> None:
        """In the tapes pane: a tape goes to its first step, a gradient call to the call (and
        one with a ``None`` result opens its why)."""
        if self.stepper is None or self.trace is None:
            return
        tape, call = message.selects.get("tape"), message.selects.get("call")
        if tape is not None:
            self._move(self.stepper.go_to_tape(tape), "that tape recorded no steps")
        elif call is not None:
            self._select_call(call)

    def _select_call(self, call: int) -> None:
        assert self.stepper is not None and self.trace is not None
        step = self.stepper.go_to_call(call)
        if step is None:
            self.notify("that gradient call is not among the steps", timeout=2)
            return
        gradient = self.trace.gradient_calls.get(call)
        if gradient is not None and None in gradient.result_ids and gradient.error is None:
            self.switcher.current = "detail"  # so why starts at this call's first None
            self.action_why()
        else:
            self._move(step, "")

    # : ------------------------------------------------------------------------------------------

    def action_goto_line(self) -> None:
        """Ask for a line number (in a notebook, or a cell's line: ``3:2``), then go to the first
        step that ran on it."""
        hint = "a line number of the source shown, e.g. 35"
        if self._notebook_shown():
            hint = "a line number, or CELL:LINE (3:2 is cell 3, line 2)"
        self._ask("go to line :", hint, "", self._go_to)

    def _notebook_shown(self) -> bool:
        notebook = self.trace.notebook if self.trace is not None else None
        return notebook is not None and self.shown_file in (None, notebook.file)

    def _go_to(self, answer: str | None) -> None:
        if answer is None or not answer.strip() or self.trace is None:
            return
        line = asked_line(answer, self.trace.notebook, self.shown_file)
        if isinstance(line, str):
            self.notify(line, timeout=3, markup=False)
            return
        self.go_to_line(line)

    def go_to_line(self, line: int, again: bool = False) -> Step | None:
        """Go to the first step on ``line`` (with ``again``, the next one after the cursor)."""
        if self.trace is None or self.stepper is None:
            return None
        current = self.stepper.current
        after = self.stepper.index if again and current and current.line == line else None
        index = line_step(self.stepper.steps, line, self.shown_file, after)
        if index is None:
            where = line_words(self.trace.notebook, self.shown_file, line)
            self.notify(f"no step ran on {where}", timeout=2, markup=False)
            return None
        step = self.stepper.go(index)
        self._move(step, "")
        return step
