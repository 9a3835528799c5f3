"""Getting a trace for a command (load it, or record the scenario) and the exit code a run ends
with: 0 it ran to its end; 1 it raised, exited non-zero, died or timed out; 2 bad usage."""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from collections.abc import Iterator

from tapetui.commands.options import UsageError
from tapetui.record.budget import Budget
from tapetui.scenario.target import Target, TargetError, resolve
from tapetui.trace import Trace, load
from tapetui.trace.jsonio import is_trace_path
from tapetui.trace.printable import printable

EXIT_OK = 0
EXIT_SCENARIO_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130
"""Ctrl-C stopped the scenario (128 + SIGINT, as a shell reports it); what it recorded is kept."""


def obtain_trace(
    target: str,
    seed: int,
    timeout: float | None,
    budget: Budget | None = None,
    run: Target | None = None,
) -> Trace:
    """Load a ``.json`` trace, or record a scenario in a child process (``run``: with its
    arguments, or as a module)."""
    if is_trace_path(target):
        return load(target)
    from tapetui.record.process import check_scenario, record
    from tapetui.record.tf_support import check_tensorflow

    check_scenario(target)
    check_tensorflow()
    argv, module = (run.argv, run.module) if run is not None else ((), None)
    cancel, ended = threading.Event(), threading.Event()
    done: list[Trace] = []
    failed: list[BaseException] = []

    def recording() -> None:
        try:
            done.append(
                record(
                    target, seed=seed, timeout=timeout, budget=budget, argv=argv, module=module,
                    cancel=cancel,
                )
            )  # fmt: skip
        except BaseException as exc:  # raised again in the caller's thread
            failed.append(exc)
        finally:
            ended.set()

    threading.Thread(target=recording, name="tapetui-record", daemon=True).start()
    with _terminate_as_interrupt():
        _wait_or_cancel(ended, cancel)
    if failed:
        raise failed[0]
    return done[0]


@contextlib.contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """SIGTERM (``timeout 60 tapetui record …``, a CI job cancelled) stops the recording as
    Ctrl-C does, so the trace of what ran is still written; Python's default would lose it."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _wait_or_cancel(ended: threading.Event, cancel: threading.Event) -> None:
    """Wait for the recording to end; Ctrl-C stops the scenario and keeps what it recorded (the
    recording ends as ``cancelled``). A second Ctrl-C while it stops gives up at once.

    An event, not ``Thread.join``: a join that Ctrl-C interrupts may leave the thread looking
    ended while it still runs."""
    try:
        while not ended.wait(0.1):  # a wait without a timeout would not let Ctrl-C in
            pass
    except KeyboardInterrupt:
        cancel.set()
        print(
            "tapetui: interrupted; stopping the scenario and keeping what it recorded",
            file=sys.stderr,
        )
        while not ended.wait(0.1):
            pass


def target_of(argv: list[str] | None, paths: list[str | None], module: str | None) -> Target:
    """The one scenario named (a path, or ``-m``) with the arguments after ``--``."""
    try:
        named, args = resolve([p for p in paths if p is not None], module, argv)
    except TargetError as exc:
        raise UsageError(str(exc)) from None
    if not named:
        raise UsageError("give a scenario (a .py file, a notebook, or -m MODULE)")
    return Target(named[0], args, module)


def exit_code_for(trace: Trace) -> int:
    """0 when the scenario ran to its end; its exit status when it ended with ``SystemExit``
    (what ``python scenario.py`` ends with); else 1."""
    if trace.status == "finished":
        return EXIT_OK
    if trace.status == "cancelled":
        return EXIT_INTERRUPTED
    if trace.status == "exited" and trace.exit_code is not None and trace.exit_code >= 0:
        return trace.exit_code
    return EXIT_SCENARIO_FAILED


def warn_about(trace: Trace, target: str) -> None:
    """One sentence on stderr about how the run ended, when it did not simply finish."""
    from tapetui.report.text import ending_sentence

    sentence = ending_sentence(trace, target)
    if sentence:
        print(f"tapetui: {printable(sentence)}", file=sys.stderr)
