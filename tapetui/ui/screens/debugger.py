"""The step-debugger screen for one scenario or trace: panes, stepping keys, recording worker."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import ContentSwitcher

from tapetui.trace import Trace
from tapetui.trace.heap import collector_paused, thaw
from tapetui.ui.describe import Line, describe
from tapetui.ui.jump import gradient_index, gradient_note, start_index
from tapetui.ui.screens.driving import Driving
from tapetui.ui.screens.graph_pane import GraphPane
from tapetui.ui.screens.help import HelpScreen, bindings_table
from tapetui.ui.screens.layout import PaneLayout
from tapetui.ui.screens.recording import Recording
from tapetui.ui.status import status_text
from tapetui.ui.steps import GRADIENT, Stepper
from tapetui.ui.tapes import tapes_pane
from tapetui.ui.values import step_name
from tapetui.ui.watch import WatchesSaves
from tapetui.ui.why import (
    Missing,
    evidence_lines,
    explanations_for,
    missing_gradients,
    pane_title,
    why_lines,
)
from tapetui.ui.widgets.key_bar import KeyBar
from tapetui.ui.widgets.lines_view import LinesView
from tapetui.ui.widgets.output_pane import OutputPane
from tapetui.ui.widgets.output_view import OutputView
from tapetui.ui.widgets.source_view import SourceView
from tapetui.ui.widgets.status_line import StatusLine
from tapetui.ui.widgets.timeline import Timeline

BIG_TRACE_EVENTS = 20_000
"""From this many events the steps and indexes built for a trace are frozen out of the garbage
collector's scans while it is shown (``tapetui.trace.heap``)."""


def safely(lines: Callable[..., list[Line]], *args: Any) -> list[Line]:
    """The pane's lines, or one line saying why they cannot be shown (a damaged trace)."""
    try:
        return lines(*args)
    except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
        return [(f"this cannot be shown: the trace is inconsistent ({exc!r})", "red")]


class DebuggerScreen(GraphPane, Driving, PaneLayout, Recording, WatchesSaves, Screen[None]):
    """Step through what the tapes recorded.

    | Key | Action |
    | :- | :- |
    | x | narrow terminal (under 72 columns): show the next pane (source, step, tapes) |
    | n / p | next / previous step (forward op, backward step, gradient call) |
    | g / G | next / previous gradient call |
    | b | jump between a forward op and its backward step |
    | home / end | first / last step (with the output shown: its first / last line) |
    | ] / [ | next / previous tape |
    | v | per-tape overview (loss and gradient norms across tapes) |
    | w | why is a gradient None (next one on each press) |
    | d | the gradient call's graph (Enter: a node's op, b: its backward step, h/l: scroll, d/escape: back) |
    | o | the scenario's printed output and traceback, and under it the figures it showed |
    | s | back to the step detail |
    | / | search steps by op type, tensor or variable name, or line (/Mul, /loss, /35) |
    | f / F | next / previous step the last search matches |
    | : | go to a line (its first step); in a notebook CELL:LINE (3:2) |
    | r | re-run the scenario (after editing it) |
    | escape / ctrl+c | cancel a running scenario |
    | ? | help |
    | q | quit |
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("x", "switch_pane", "Pane", tooltip="narrow terminal: show the next pane"),
        Binding(
            "n", "next", "Next", tooltip="next step: forward op, backward step or gradient call"
        ),
        Binding("p", "previous", "Prev", tooltip="previous step"),
        Binding("b", "partner", "Bwd", tooltip="jump between a forward op and its backward step"),
        Binding("g", "next_call", "Grad", tooltip="next gradient call"),
        Binding("G", "previous_call", "Prev grad", show=False, tooltip="previous gradient call"),
        Binding("w", "why", "Why", tooltip="why is a gradient None (each press: the next one)"),
        Binding(
            "o",
            "output",
            "Out",
            tooltip="what the scenario printed, its traceback, and the figures it showed",
        ),
        Binding("d", "graph", "Graph", tooltip="the gradient call's graph: values and gradients"),
        Binding("s", "detail", "Step", show=False, tooltip="back to the step detail"),
        Binding("v", "overview", "Tapes", tooltip="all tapes: target and gradient norms"),
        Binding("right_square_bracket", "next_tape", "Next tape", show=False, tooltip="next tape"),
        Binding(
            "left_square_bracket", "previous_tape", "Prev tape", show=False, tooltip="previous tape"
        ),
        Binding(
            "home", "first", "First", show=False, priority=True, tooltip="first step (output: top)"
        ),
        Binding(
            "end", "last", "Last", show=False, priority=True, tooltip="last step (output: end)"
        ),
        Binding(
            "slash",
            "search",
            "Find",
            tooltip="search steps: op type, tensor or variable name, line",
        ),
        Binding("f", "search_next", "Again", tooltip="the next step the last search (/) matches"),
        Binding("F", "search_previous", "Back", show=False, tooltip="the previous step it matches"),
        Binding(
            "colon",
            "goto_line",
            "Line",
            tooltip="go to a line: its first step (:35; in a notebook CELL:LINE, :3:2)",
        ),
        Binding("r", "rerun", "Rerun", tooltip="record the scenario again (after you edit it)"),
        Binding(
            "escape,ctrl+c", "cancel", "Cancel", show=False, tooltip="cancel a running scenario"
        ),
        Binding("question_mark", "help", "Help", tooltip="this help"),
        Binding("q", "app.quit", "Quit", tooltip="quit tapetui"),
    ]

    PALETTE: ClassVar[list[tuple[str, str, str]]] = [
        ("Next step", "Move to the next step (n)", "next"),
        ("Previous step", "Move to the previous step (p)", "previous"),
        ("Next gradient call", "Jump to the next gradient call (g)", "next_call"),
        ("Forward ↔ backward", "Jump between an op and its backward step (b)", "partner"),
        ("Why None", "Explain the next missing gradient (w)", "why"),
        ("Graph", "The gradient call's graph: values, gradients, broken links (d)", "graph"),
        ("Output", "Show what the scenario printed (o)", "output"),
        ("Tape overview", "Compare tapes: target and gradient norms (v)", "overview"),
        ("Search steps", "Find a step by op type, tensor or variable name, or line (/)", "search"),
        ("Search again", "The next step the last search matches (f)", "search_next"),
        ("Go to line", "The first step that ran on a line (:)", "goto_line"),
        ("Re-run", "Record the scenario again after editing it (r)", "rerun"),
    ]
    """Debugger commands offered in the command palette (title, help, action)."""

    def __init__(
        self, scenario: str | None = None, trace: Trace | None = None, seed: int = 0
    ) -> None:
        super().__init__()
        self.scenario = scenario
        self.seed = seed
        self.trace = trace
        self.stepper: Stepper | None = None
        self.explanations: Mapping[int, Any] = {}
        self.missing: list[Missing] = []
        self.why_position = -1
        self.recording = False
        self.failure: str | None = None
        self._cancel = threading.Event()
        self._heard_from_child = False

    def compose(self) -> ComposeResult:
        yield StatusLine(id="status")
        with Horizontal(id="panes"):
            yield LinesView(id="tapes")
            yield SourceView(id="source")
            with ContentSwitcher(initial="detail", id="right"):
                yield LinesView(id="detail")
                yield LinesView(id="why")
                yield OutputPane(id="output")
        yield Timeline(id="timeline")
        yield KeyBar()

    # typed views of the panes
    @property
    def source_view(self) -> SourceView:
        return self.query_one("#source", SourceView)

    @property
    def detail(self) -> LinesView:
        return self.query_one("#detail", LinesView)

    @property
    def why_pane(self) -> LinesView:
        return self.query_one("#why", LinesView)

    @property
    def output_pane(self) -> OutputView:
        return self.query_one("#output-text", OutputView)

    @property
    def tapes_pane(self) -> LinesView:
        return self.query_one("#tapes", LinesView)

    @property
    def switcher(self) -> ContentSwitcher:
        return self.query_one("#right", ContentSwitcher)

    @property
    def ready(self) -> bool:
        """True once there is something to show (a trace, or a failure to explain)."""
        return not self.recording and (self.trace is not None or self.failure is not None)

    def on_mount(self) -> None:
        self.tapes_pane.border_title = "tapes"
        self.why_pane.border_title = "why None"
        self.output_pane.border_title = "output"
        self.watch_right_pane()
        self.fit_panes(self.app.size.width)
        if self.trace is not None:
            self.load(self.trace)
        elif self.scenario is not None:
            self.start_recording()
        self.follow_saves()  # --watch

    def on_unmount(self) -> None:
        self._cancel.set()  # quitting mid-recording must not leave the child running
        self.stop_following_saves()
        thaw()  # what load() froze may be collected once this screen is gone

    def load(self, trace: Trace) -> None:
        """Show ``trace``, keeping the cursor where it was on a re-run."""
        previous = self.stepper.index if self.stepper is not None else None
        self.trace = trace
        with collector_paused(freeze=len(trace.events) >= BIG_TRACE_EVENTS):
            self.stepper = Stepper(trace)
            self.explanations = explanations_for(trace)
            self.missing = missing_gradients(trace, self.explanations)
        self.why_position = -1
        opened_at, note = 0, ""
        wanted = getattr(self.app, "at_gradient", False)
        at_gradient = gradient_index(self.stepper.steps) if wanted else None
        if previous is not None:
            self.stepper.go(previous)
        elif at_gradient is not None:  # --at-gradient
            self.stepper.go(at_gradient)
            note = gradient_note(at_gradient, len(self.stepper.steps))
        elif trace.status == "raised" or (
            self.stepper.steps and self.stepper.steps[-1].kind == "error"
        ):
            self.stepper.last()
        else:  # where the tape starts, not a variable's creation before any tape
            opened_at = start_index(self.stepper.steps)
            self.stepper.go(opened_at)
        text, state = status_text(trace, opened_at, len(self.stepper.steps))
        self.set_status(text + note, state)
        self.query_one(OutputPane).show_trace(trace)  # the printed text and the figures
        self.show_step()

    def show_step(self) -> None:
        if self.trace is None or self.stepper is None:
            return
        trace, stepper, step = self.trace, self.stepper, self.stepper.current
        file = step.file if step is not None and step.file in trace.sources else trace.scenario
        missing = self._shown_missing()
        self.source_view.show(
            trace.sources.get(file, ""),
            step.line if step is not None else None,
            evidence_lines(missing, file),
            title=Path(file).name if file else "source",
            cells=trace.notebook if trace.notebook and trace.notebook.file == file else None,
        )
        title = "no steps"
        if step is not None:
            title = f"step {stepper.index + 1}/{len(stepper.steps)} · {step_name(trace, step)}"
        self.detail.show(safely(describe, trace, step, self.explanations), title)
        tape = step.tape if step else None
        lines, clicks = self._tapes_pane(trace, tape)
        self.tapes_pane.show(lines, clicks=clicks)
        self.query_one(Timeline).show(trace, stepper.steps, stepper.index)

    def _tapes_pane(self, trace: Trace, tape: int | None) -> tuple[list[Line], dict[int, Any]]:
        try:
            return tapes_pane(trace, self.explanations, tape)
        except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
            return [(f"this cannot be shown: the trace is inconsistent ({exc!r})", "red")], {}

    def _shown_missing(self) -> Missing | None:
        if self.switcher.current != "why" or not self.missing or self.why_position < 0:
            return None
        return self.missing[self.why_position % len(self.missing)]

    def _move(self, moved: object, nothing: str) -> None:
        if moved is None:
            self.notify(nothing, timeout=2)
        if self.switcher.current != "detail" and moved is not None:
            self.switcher.current = "detail"
        self.show_step()

    # actions --------------------------------------------------------------------------------

    def action_next(self) -> None:
        if self.stepper:
            self._move(self.stepper.next(), "this is the last step")

    def action_previous(self) -> None:
        if self.stepper:
            self._move(self.stepper.previous(), "this is the first step")

    def action_first(self) -> None:
        if self.switcher.current == "output":
            self.output_pane.scroll_home(animate=False)
        elif self.stepper:
            self._move(self.stepper.first(), "no steps")

    def action_last(self) -> None:
        if self.switcher.current == "output":
            self.output_pane.scroll_end(animate=False)
        elif self.stepper:
            self._move(self.stepper.last(), "no steps")

    def action_next_call(self) -> None:
        if self.stepper:
            self._move(self.stepper.next_gradient_call(), "no later gradient call")

    def action_previous_call(self) -> None:
        if self.stepper:
            self._move(self.stepper.next_gradient_call(forward=False), "no earlier gradient call")

    def action_partner(self) -> None:
        if self.stepper:
            self._move(self.stepper.partner(), "this step has no forward/backward partner")

    def action_next_tape(self) -> None:
        if self.stepper:
            self._move(self.stepper.next_tape(), "no later tape")

    def action_previous_tape(self) -> None:
        if self.stepper:
            self._move(self.stepper.next_tape(forward=False), "no earlier tape")

    def action_why(self) -> None:
        """Show the next missing gradient's explanation, moving to its gradient call."""
        if self.trace is None or self.stepper is None:
            return
        self.why_position = self._next_why_position()
        if self.missing:
            item = self.missing[self.why_position]
            self.stepper.go_to_call(item.call)
            if item.step is not None:  # a NaN/Inf: mark the backward step that first made it
                steps = enumerate(self.stepper.steps)
                found = next((i for i, s in steps if s.event.seq == item.step), None)
                if found is not None:
                    self.stepper.go(found)
        self.switcher.current = "why"
        position = max(self.why_position, 0)
        title = pane_title(self.trace, self.missing, position)
        self.why_pane.show(safely(why_lines, self.trace, self.missing, position), title=title)
        self.show_step()

    def _next_why_position(self) -> int:
        if not self.missing:
            return -1
        if self.switcher.current == "why":
            return (self.why_position + 1) % len(self.missing)
        step = self.stepper.current if self.stepper else None
        if step is not None and step.kind == GRADIENT:
            call = getattr(step.event, "call", None)
            for i, item in enumerate(self.missing):
                if item.call == call:
                    return i
        return 0

    def action_graph(self) -> None:
        self.toggle_graph()  # tapetui.ui.screens.graph_pane

    def action_output(self) -> None:
        self.switcher.current = "output" if self.switcher.current != "output" else "detail"
        self.show_step()

    def action_detail(self) -> None:
        self.switcher.current = "detail"
        self.show_step()

    def action_overview(self) -> None:
        if self.trace is None or not self.trace.tapes:
            self.notify("no tapes to compare", timeout=2)
            return
        from tapetui.ui.screens.overview import OverviewScreen  # only here: startup is faster

        self.app.push_screen(OverviewScreen(self.trace), self._go_to_tape)

    def _go_to_tape(self, tape: int | None) -> None:
        if tape is not None and self.stepper is not None:
            self._move(self.stepper.go_to_tape(tape), "that tape recorded no steps")

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(bindings_table(self.app, self.BINDINGS)))
