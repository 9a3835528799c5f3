"""The graph view in the debugger (``d``): which call it draws, where it sits, and how moving
through it moves the source and step panes.

Mixed into :class:`~tapetui.ui.screens.debugger.DebuggerScreen`; the graph itself is
:mod:`tapetui.explain.graph`, drawn by :class:`~tapetui.ui.widgets.graph.GraphView`. The view
takes the tapes pane's place; moving its cursor moves the debugger to the node's forward op (the
debugger's own ``Stepper.go``), and Escape puts the cursor back where it was.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from tapetui.ui.literal import content_line
from tapetui.ui.rerecord import CallPlace, Place, call_place, find_call, find_place, place_of
from tapetui.ui.steps import Step, Stepper
from tapetui.ui.values import call_name
from tapetui.ui.widgets.graph import GraphView

if TYPE_CHECKING:
    from textual.screen import Screen

    from tapetui.explain.graph import GradientGraph
    from tapetui.trace import Trace

    _Screen = Screen[None]
    """What the mixin is mixed into, for the type checker; a plain class at run time."""
else:
    _Screen = object


WIDTHS = {True: ("50%", "25%"), False: ("40%", "30%")}
"""The graph's and the step pane's widths while the graph is shown, under 100 columns or not
(the source pane takes the rest)."""
NARROW = 100


def call_at(stepper: Stepper) -> int | None:
    """The gradient call the cursor is in (a call, its backward steps); else the next call after
    the cursor, else the last one before it."""
    step = stepper.current
    if step is None:
        return None
    call = getattr(step.event, "call", None)
    if call is not None and not hasattr(step.event, "variables"):
        return int(call)
    later = (s for s in stepper.steps[step.index :] if s.kind == "gradient")
    earlier = (s for s in reversed(stepper.steps[: step.index]) if s.kind == "gradient")
    found = next(later, None) or next(earlier, None)
    return None if found is None else int(getattr(found.event, "call", 0))


def step_at(steps: list[Step], seq: int | None) -> int | None:
    """The index of the step whose event is ``seq`` (steps are in timeline order)."""
    if seq is None:
        return None
    at = bisect_left(steps, seq, key=lambda s: s.event.seq)
    return at if at < len(steps) and steps[at].event.seq == seq else None


class GraphPane(_Screen):
    """``d``: the current gradient call's graph in place of the tapes pane (a mixin)."""

    trace: Trace | None
    stepper: Stepper | None
    explanations: Mapping[int, Any]
    graph_return: int | None = None
    """The step the debugger was on when the graph opened (Escape goes back to it)."""
    graph_pending: int | None = None
    """The event of the node the panes are to show next."""
    graph_following = False
    """Whether the panes are about to follow the cursor."""

    if TYPE_CHECKING:

        def _move(self, moved: object, nothing: str) -> None: ...
        def _show(self, pane: str) -> None: ...
        @property
        def single(self) -> bool: ...

        shown_pane: str

    @property
    def graph_view(self) -> GraphView | None:
        found = self.query(GraphView)
        return found.first() if found else None

    def toggle_graph(self) -> None:
        """Open the graph of the gradient call at the cursor, or close it."""
        if self.graph_view is not None:
            self.close_graph(restore=True)
            return
        if self.trace is None or self.stepper is None:
            return
        call = call_at(self.stepper)
        if call is None:
            self.notify("no gradient call to draw: the scenario ran none", timeout=3)
            return
        self._open_graph(self.trace, self.stepper, call)

    def _open_graph(self, trace: Trace, stepper: Stepper, call: int) -> None:
        graph, name = self._graph_of(trace, call)
        view = GraphView(graph, f"graph of {name}", id="graph")
        self._title_graph(view, name, call)
        self.graph_return = stepper.index
        tapes = self.query_one("#tapes")
        self.query_one("#panes").mount(view, before=tapes)
        tapes.styles.display = "none"
        graph_width, step_width = WIDTHS[self.app.size.width < NARROW]
        view.styles.width = "1fr" if self.single else graph_width
        if not self.single:
            self.query_one("#right").styles.width = step_width
        else:  # one pane at a time: the graph's
            for pane in self.query("#panes > .-shown"):
                pane.remove_class("-shown")
            view.add_class("-shown")
        view.focus()

    def _graph_of(self, trace: Trace, call: int) -> tuple[GradientGraph, str]:
        """Gradient call ``call``'s graph, with its broken links' causes, and its name."""
        from tapetui.explain.graph import GradientGraph

        asked = trace.gradient_calls[call]
        missing = asked.unconnected_gradients == "zero" or None in asked.result_ids
        explanation = self.explanations.get(call) if missing else None  # explained once
        causes = list(explanation.results) if explanation is not None else []
        return GradientGraph(trace, call, causes), call_name(trace, asked)

    @staticmethod
    def _title_graph(view: GraphView, name: str, call: int) -> None:
        view.border_title = content_line(f"graph · {name} · call {call}")  # names: not markup
        view.border_subtitle = "enter op · b bwd · c layer · d back"

    def graph_before_reload(self) -> tuple[CallPlace, Place | None] | None:
        """The call the open graph draws and the step it opened on, as places a re-record
        keeps (``None`` when no graph is open)."""
        view = self.graph_view
        if view is None or self.trace is None or self.stepper is None:
            return None
        drawn = call_place(view.graph.trace, view.graph.call.id)
        if drawn is None:
            return None
        opened = self.graph_return
        return drawn, place_of(self.stepper.steps, opened) if opened is not None else None

    def graph_after_reload(self, before: tuple[CallPlace, Place | None] | None) -> None:
        """After a re-record: draw the new trace's call in the graph, or close it (and say so)
        when the scenario no longer asks for that gradient."""
        view = self.graph_view
        if before is None or view is None or self.trace is None or self.stepper is None:
            return
        drawn, opened = before
        call = find_call(drawn, self.trace)
        if call is None:
            self.close_graph(restore=False)
            where = f" (line {drawn.line})" if drawn.line is not None else ""
            self.notify(
                f"the graph is closed: the scenario no longer asks for {drawn.name}{where}",
                timeout=4,
                markup=False,
            )
            return
        graph, name = self._graph_of(self.trace, call)
        self._title_graph(view, name, call)
        view.draw(graph, f"graph of {name}")
        if opened is not None:  # escape goes back to that step of the new trace
            self.graph_return = find_place(opened, self.stepper.steps, self.stepper.index)

    def close_graph(self, restore: bool) -> None:
        view = self.graph_view
        if view is None:
            return
        view.remove()
        self.query_one("#tapes").styles.clear_rule("display")  # the layout's CSS decides again
        self.query_one("#right").styles.clear_rule("width")
        if self.single:
            self._show(self.shown_pane)
        if restore and self.stepper is not None and self.graph_return is not None:
            self._move(self.stepper.go(self.graph_return), "")

    def on_graph_view_moved(self, message: GraphView.Moved) -> None:
        """The panes follow the cursor once it is painted; keys pressed faster than the panes
        redraw move the cursor at once and the panes to the last node only."""
        message.stop()
        self.graph_pending = message.seq
        if not self.graph_following:
            self.graph_following = True
            self.call_after_refresh(self._follow_graph)

    def _follow_graph(self) -> None:
        seq, self.graph_following = self.graph_pending, False
        index = step_at(self.stepper.steps, seq) if self.stepper else None
        if index is not None and self.stepper is not None and self.graph_view is not None:
            self._move(self.stepper.go(index), "")

    def on_graph_view_jump(self, message: GraphView.Jump) -> None:
        message.stop()
        index = step_at(self.stepper.steps, message.seq) if self.stepper else None
        if index is None or self.stepper is None:
            self.notify(f"this node has no {message.what} in this call", timeout=2, markup=False)
            return
        self.close_graph(restore=False)
        self._move(self.stepper.go(index), "")

    def on_graph_view_closed(self, message: GraphView.Closed) -> None:
        message.stop()
        self.close_graph(restore=True)
