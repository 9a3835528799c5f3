"""What one tape had recorded and watched at the moment of one gradient call."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from tapetui.trace.events import (
    Event,
    OpEvent,
    ResumeRecordingEvent,
    StopRecordingEvent,
    TapeEnterEvent,
    TapeExitEvent,
    TapeResetEvent,
    WatchEvent,
)
from tapetui.trace.model import Tape, Trace


@dataclass
class TapeView:
    """One tape as it stood when a gradient call asked it (``until`` is the call's seq)."""

    trace: Trace
    tape: Tape
    until: int
    enter: TapeEnterEvent | None = None
    exit: TapeExitEvent | None = None
    stops: list[tuple[StopRecordingEvent, int | None]] = field(default_factory=list)
    """Each ``stop_recording()`` block: where it began and the seq it ended (``None``: never)."""
    resets: list[TapeResetEvent] = field(default_factory=list)
    watches: list[WatchEvent] = field(default_factory=list)

    @classmethod
    def of(
        cls, trace: Trace, tape: Tape, until: int, events: Iterable[Event] | None = None
    ) -> TapeView:
        """The tape's view; ``events`` may be just this tape's events, to save a scan."""
        view = cls(trace, tape, until)
        for event in trace.events if events is None else events:
            if getattr(event, "tape", None) != tape.id:
                continue
            if isinstance(event, TapeEnterEvent) and view.enter is None:
                view.enter = event
            elif isinstance(event, TapeExitEvent):
                view.exit = event
            elif isinstance(event, StopRecordingEvent):
                view.stops.append((event, None))
            elif isinstance(event, ResumeRecordingEvent) and view.stops:
                view.stops[-1] = (view.stops[-1][0], event.seq)
            elif isinstance(event, TapeResetEvent) and event.seq < until:
                view.resets.append(event)
            elif isinstance(event, WatchEvent):
                view.watches.append(event)
        return view

    @property
    def enter_seq(self) -> int | None:
        return self.tape.enter_seq if self.tape.enter_seq is not None else _seq(self.enter)

    @property
    def exit_seq(self) -> int | None:
        return self.tape.exit_seq if self.tape.exit_seq is not None else _seq(self.exit)

    def recorded(self, op: OpEvent) -> bool:
        """Whether the tape recorded the op and still held it at the call."""
        return self.tape.id in op.recorded_by and self.reset_after(op.seq) is None

    def reset_after(self, seq: int) -> TapeResetEvent | None:
        """The ``reset()`` that dropped what was recorded at ``seq``, if any."""
        return next((r for r in self.resets if seq < r.seq), None)

    def before_enter(self, seq: int) -> bool:
        return self.enter_seq is not None and seq < self.enter_seq

    def after_exit(self, seq: int) -> bool:
        return self.exit_seq is not None and seq > self.exit_seq

    def stopped_at(self, seq: int) -> StopRecordingEvent | None:
        for start, end in self.stops:
            if start.seq < seq and (end is None or seq < end):
                return start
        return None

    def watch_of(self, ref: int, before: int | None = None) -> WatchEvent | None:
        """The first watch (explicit or automatic) of ``ref``, optionally only before a seq."""
        for event in self.watches:
            if before is not None and event.seq > before:
                break
            if any(i.ref == ref and i.status == "watched" for i in event.items):
                return event
        return None

    def ignored_watch_of(self, ref: int) -> WatchEvent | None:
        """A ``watch()`` that was given ``ref`` but ignored it (e.g. an integer dtype)."""
        for event in self.watches:
            if any(i.ref == ref and i.status != "watched" for i in event.items):
                return event
        return None

    def empty_watch(self) -> WatchEvent | None:
        """A ``watch()`` that was given an empty structure (an unbuilt layer's variables)."""
        return next((e for e in self.watches if e.empty), None)

    def watches_ref(self, ref: int) -> bool:
        return ref in self.tape.watched or self.watch_of(ref) is not None


def _seq(event: TapeEnterEvent | TapeExitEvent | None) -> int | None:
    return None if event is None else event.seq
