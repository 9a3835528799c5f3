"""Recording the scenario from the debugger: the child process in a thread worker, its progress
on the status line, ``r`` to record again and ``esc`` to cancel.

Mixed into :class:`~tapetui.ui.screens.debugger.DebuggerScreen`, which loads the trace the worker
posts in :class:`Recording.Recorded`.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

from textual import work
from textual.message import Message
from textual.worker import Worker, WorkerState

from tapetui.scenario.notebook import scenario_source
from tapetui.trace import Trace
from tapetui.ui.widgets.status_line import StatusLine

if TYPE_CHECKING:
    from textual.screen import Screen

    from tapetui.record.warm import WarmPool
    from tapetui.ui.rerecord import CallPlace, Place
    from tapetui.ui.widgets.source_view import SourceView

    _Screen = Screen[None]
    """What the mixin is mixed into, for the type checker; a plain class at run time."""
else:
    _Screen = object


class Recording(_Screen):
    """The debugger's recording of its scenario (a mixin: the screen loads and shows the trace)."""

    scenario: str | None
    seed: int
    trace: Trace | None
    recording: bool
    failure: str | None
    _cancel: threading.Event
    _heard_from_child: bool

    if TYPE_CHECKING:

        @property
        def source_view(self) -> SourceView: ...
        def load(self, trace: Trace) -> None: ...
        def before_reload(self) -> tuple[Trace, Place | None] | None: ...
        def after_reload(self, before: tuple[Trace, Place | None] | None) -> None: ...
        def graph_before_reload(self) -> tuple[CallPlace, Place | None] | None: ...
        def graph_after_reload(self, before: tuple[CallPlace, Place | None] | None) -> None: ...

    class Recorded(Message):
        """The child process finished (in any way) and left this trace."""

        def __init__(self, trace: Trace) -> None:
            super().__init__()
            self.trace = trace

    class Progress(Message):
        """The child started sending records: TensorFlow is imported and the scenario runs."""

    def start_recording(self) -> None:
        assert self.scenario is not None
        self.recording, self.failure, self._heard_from_child = True, None, False
        self._cancel = threading.Event()
        warm: WarmPool | None = getattr(self.app, "warm", None)
        doing = "starting" if warm is not None and warm.ready else "importing TensorFlow"
        self.set_status(f"{Path(self.scenario).name}: {doing}… (esc cancels)", "-busy")
        if self.trace is None:
            self._show_source_from_disk(self.scenario)
        # After the screen is painted: the child's start would compete with the first paint.
        self.call_after_refresh(self.record_scenario, self.scenario, self.seed, self._cancel, warm)

    def _show_source_from_disk(self, scenario: str) -> None:
        """Show the scenario's text while it records (read, never executed here)."""
        shown = scenario_source(scenario)
        if shown is not None:
            self.source_view.show(shown[0], None, title=Path(scenario).name, cells=shown[1])

    @work(thread=True, exclusive=True, exit_on_error=False)
    def record_scenario(
        self, scenario: str, seed: int, cancel: threading.Event, warm: WarmPool | None
    ) -> None:
        from tapetui.record.process import record

        if warm is not None:
            warm.start()  # no-op when a child waits; at launch the app may not have started it
        budget = getattr(self.app, "budget", None)
        trace = record(
            scenario,
            seed=seed,
            on_record=self._on_record,
            cancel=cancel,
            warm=warm,
            budget=budget,
            argv=getattr(self.app, "scenario_argv", ()),  # `--` ARGS, kept for every re-run
            module=getattr(self.app, "scenario_module", None),
        )
        self.post_message(self.Recorded(trace))

    def _on_record(self, *_: object, **__: object) -> None:
        if not self._heard_from_child:
            self._heard_from_child = True
            self.post_message(self.Progress())

    def on_recording_progress(self, _: Progress) -> None:
        if self.recording:
            self.set_status(
                f"{Path(self.scenario or '').name}: running the scenario… (esc cancels)", "-busy"
            )

    def on_recording_recorded(self, message: Recorded) -> None:
        self.recording = False
        before, graph = self.before_reload(), self.graph_before_reload()
        self.load(message.trace)
        self.after_reload(before)  # --watch: the cursor's line, what changed
        self.graph_after_reload(graph)  # the graph draws the new trace's call

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            self.recording = False
            self.failure = f"recording failed: {event.worker.error}"
            self.set_status(self.failure, "-failed")

    def action_rerun(self) -> None:
        if self.scenario is None:
            self.notify(
                "a trace file cannot be re-run; open the scenario itself to re-run it", timeout=3
            )
            return
        if not self.recording:
            self.start_recording()

    def action_cancel(self) -> None:
        if self.recording:
            self._cancel.set()
            self.set_status("cancelling the scenario…", "-busy")
        elif self.app.screen_stack[0] is not self:  # opened from the picker
            self.dismiss(None)

    def set_status(self, text: str, state: str = "") -> None:
        status = self.query_one("#status", StatusLine)
        status.set_classes(state)
        status.message = text

    # showing a trace ------------------------------------------------------------------------
