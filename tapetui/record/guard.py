"""Recorder code runs guarded: one thread at a time, muted on its own thread, its bugs noted."""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from threading import get_ident
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tapetui.record.recorder import Recorder


class Guard:
    """``with rec.guard():`` — a plain class: it is entered for every op, and a
    ``contextlib.contextmanager`` costs several times more.

    Recorder code runs under the recorder's lock, one thread at a time: the books are shared,
    and a scenario's threads run ops at once. The mute count belongs to the thread holding the
    lock (``Recorder.muted``): one thread's recording never mutes another thread's hooks, which
    wait for the lock instead."""

    __slots__ = ("rec",)

    def __init__(self, rec: Recorder) -> None:
        self.rec = rec

    def __enter__(self) -> None:
        rec = self.rec
        rec._lock.acquire()
        if not rec._mute:
            rec._owner = get_ident()  # set before the count, which other threads read unlocked
        rec._mute += 1

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, _: Any) -> bool:
        rec = self.rec
        try:
            if rec._mute == 1 and rec.summarised is None:
                # One write for everything one hook recorded: what it recorded survives a
                # segfault or a kill that comes next. Summarised, a write per hook would cost
                # more than the step: the stream writer's thread sends the step rows every
                # 0.1 s instead.
                rec.flush()
        finally:
            rec._mute -= 1
            rec._lock.release()
        if exc is None or not isinstance(exc, Exception):
            return False
        rec.note_internal_error(exc)
        return True  # the recorder's own bug: noted, and the scenario carries on


class Tracing:
    """``with Tracing(rec):`` — this thread traces a function before its eager call: what it
    runs is muted as recorder code is (``Recorder.muted``), but without the recorder's lock.
    A trace runs the scenario's code, which may wait for threads it starts (a
    ``MirroredStrategy`` traces its step in one thread per replica): those threads are muted
    too (``muted_threads``), and the hooks of any other thread carry on recording."""

    __slots__ = ("rec",)

    def __init__(self, rec: Recorder) -> None:
        self.rec = rec

    def __enter__(self) -> None:
        here = self.rec._here
        if not here.tracing:
            with _TRACERS:
                self.rec._tracers += 1
        here.tracing += 1

    def __exit__(self, *_: Any) -> None:
        here = self.rec._here
        here.tracing -= 1
        if not here.tracing:
            with _TRACERS:
                self.rec._tracers -= 1


_TRACERS = threading.Lock()


def muted_threads(rec: Recorder) -> Callable[[Any], Any]:
    """Makes ``Thread.start``'s wrapper: a thread started by a trace runs as part of it, muted
    (``Tracing``) for its whole life."""

    def make(original: Any) -> Any:
        def start(self: Any) -> Any:
            if rec._here.tracing:
                inner = self._bootstrap_inner  # the class's, hooked or not: run in the thread

                def _bootstrap_inner() -> Any:
                    with Tracing(rec):
                        return inner()

                self._bootstrap_inner = _bootstrap_inner
            return original(self)

        return start

    return make


def _drop(*_: Any) -> None:
    pass


def forget_in_fork(ref: weakref.ref[Recorder]) -> None:
    """In a process the scenario forked (a ``multiprocessing`` worker): record nothing more,
    the trace is the parent's. A new lock: a thread of the parent may have held it at the fork."""
    rec = ref()
    if rec is not None:
        rec.sink, rec._sink_flush, rec.on_summarise = _drop, _drop, _drop
        rec._lock, rec._mute, rec._owner = threading.RLock(), 1, get_ident()  # muted for good
