"""Warm recording children: TensorFlow already imported, waiting for one scenario to record.

Both halves of the hand-over live here. The parent (TF-free) starts
``python -m tapetui.record --warm CONTROL_FD READY_FD LIFELINE_FD`` in a session of its own; the
child sets up exactly what a cold child sets up (``tapetui.record.lifeline``), imports TensorFlow, writes one byte to READY_FD, and reads one job from
CONTROL_FD: a JSON line with the cold command line's arguments and the working directory. The
scenario's stdin stays closed as in a cold child: the job never comes through stdin. If the
control pipe closes without a job (the UI quit or died), the child exits, so none is orphaned.
A child serves one scenario only, because a scenario may leave global TensorFlow state behind.
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass
from typing import IO

from tapetui.record.lifeline import Lifeline, end_group, started

READY_BYTE = b"r"


def warm_command(control_fd: int, ready_fd: int, lifeline_fd: int) -> list[str]:
    return [
        sys.executable,
        *("-m", "tapetui.record", "--warm"),
        *(str(control_fd), str(ready_fd), str(lifeline_fd)),
    ]


# child side -------------------------------------------------------------------------------------


def receive_job(control_fd: int, ready_fd: int) -> list[str] | None:
    """Say ready, then wait for the job; its cold command-line arguments, or None on close.

    Moves to the job's working directory first, as if the child had been started there.
    """
    try:
        os.write(ready_fd, READY_BYTE)
    except BrokenPipeError:  # the parent handed the job over before asking whether we are ready
        pass
    os.close(ready_fd)
    with open(control_fd, encoding="utf-8", closefd=True) as control:
        line = control.readline()
    if not line.strip():
        return None
    job = json.loads(line)
    _move_to(job["cwd"])
    return [str(arg) for arg in job["argv"]]


def _move_to(cwd: str) -> None:
    # ``python -m`` put the start directory first on sys.path; a cold child started in ``cwd``
    # would have ``cwd`` there instead.
    if sys.path and sys.path[0] == os.getcwd():
        sys.path[0] = cwd
    os.chdir(cwd)


# parent side ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Handover:
    """A warm child now recording a job, the file its stderr goes to, and its lifeline."""

    process: subprocess.Popen[bytes]
    stderr: IO[str]
    lifeline: Lifeline


class WarmChild:
    """One started ``--warm`` child, idle until ``hand_over`` gives it its job."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        control_read, self._control = os.pipe()
        self._ready, ready_write = os.pipe()
        self.lifeline = Lifeline()
        # Unlinked at once: the parent reads it after the job, nobody has to delete it.
        self.stderr: IO[str] = tempfile.TemporaryFile(
            "w+", encoding="utf-8", errors="replace", prefix="tapetui-warm-"
        )
        try:
            self.process = subprocess.Popen(
                warm_command(control_read, ready_write, self.lifeline.child_fd),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=self.stderr,
                env=env,
                pass_fds=(control_read, ready_write, self.lifeline.child_fd),
                start_new_session=True,
            )
        except BaseException:
            self.lifeline.close()
            raise
        finally:
            os.close(control_read)
            os.close(ready_write)
            self.lifeline.child_started()
        started(self.process)
        self._is_ready = False

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    @property
    def ready(self) -> bool:
        """True once TensorFlow is imported and the child waits for its job."""
        if not self._is_ready and self._ready >= 0:
            readable, _, _ = select.select([self._ready], [], [], 0)
            self._is_ready = bool(readable) and os.read(self._ready, 1) == READY_BYTE
        return self._is_ready

    def wait_ready(self, timeout: float) -> bool:
        """Block until ready (or dead, or ``timeout`` seconds); whether it is ready."""
        if self.ready or self._ready < 0:
            return self.ready
        try:
            select.select([self._ready], [], [], timeout)
        except (OSError, ValueError):  # handed over or stopped meanwhile by another thread
            pass
        return self.ready

    def hand_over(self, argv: list[str], cwd: str) -> Handover:
        """Send the job (the cold command's arguments); the child records it from now on."""
        job = json.dumps({"argv": argv, "cwd": cwd}) + "\n"
        try:
            os.write(self._control, job.encode("utf-8"))
        finally:
            self._close_pipes()
        return Handover(self.process, self.stderr, self.lifeline)

    def stop(self) -> None:
        """End an idle child now: it runs no scenario yet, so killing it loses nothing."""
        self._close_pipes()
        end_group(self.process, grace=0)
        self.lifeline.close()
        self.stderr.close()

    def _close_pipes(self) -> None:
        for fd in (self._control, self._ready):
            if fd >= 0:
                os.close(fd)
        self._control = self._ready = -1


class WarmPool:
    """Keeps one warm child ready: a recording takes it, ``start`` makes the next one.

    ``process.record`` calls ``start`` as soon as its recording ends, not when it takes the
    child: a replacement importing TensorFlow meanwhile would slow the recording being waited
    for (two cores).

    Thread-safe: the UI starts it from one thread and records from worker threads.
    """

    def __init__(self, env: dict[str, str] | None = None) -> None:
        self._env = env
        self._idle: WarmChild | None = None
        self._lock = threading.Lock()
        self._closed = False
        self.handovers = 0
        """How many recordings a warm child has taken (tests and benchmarks read it)."""

    def _wanted_env(self) -> dict[str, str]:
        from tapetui.record.process import child_env

        return dict(self._env) if self._env is not None else child_env()

    def start(self) -> None:
        """Have an idle warm child (start one unless one is alive and fits the environment)."""
        with self._lock:
            self._ensure_idle()

    def _ensure_idle(self) -> None:
        if self._closed:
            return
        idle = self._idle
        if idle is not None and idle.alive and idle.env == self._wanted_env():
            return
        if idle is not None:
            idle.stop()
        try:
            self._idle = WarmChild(self._wanted_env())
        except OSError:  # cannot start a process now: recordings then try a cold one
            self._idle = None

    @property
    def idle_process(self) -> subprocess.Popen[bytes] | None:
        """The process waiting for the next recording, if any."""
        with self._lock:
            return self._idle.process if self._idle is not None else None

    @property
    def ready(self) -> bool:
        """True when an idle child has imported TensorFlow and waits for a job."""
        with self._lock:
            return self._idle is not None and self._idle.ready

    def wait_ready(self, timeout: float) -> bool:
        with self._lock:
            idle = self._idle
        return idle is not None and idle.wait_ready(timeout)

    def take(self, command: list[str]) -> Handover | None:
        """Give the cold ``command`` to the idle child; None if there is none that fits.

        A child still importing TensorFlow is taken too: it started earlier than a cold child
        would, so it is ready sooner.
        """
        with self._lock:
            idle, self._idle = self._idle, None
            if idle is None:
                return None
            fits = idle.alive and idle.env == self._wanted_env()
            if fits and command[:3] == [sys.executable, "-m", "tapetui.record"]:
                try:
                    handover = idle.hand_over(command[3:], os.getcwd())
                    self.handovers += 1
                    return handover
                except OSError:  # it died just now (its pipe is closed): record with a cold one
                    pass
            idle.stop()
        return None

    def close(self) -> None:
        """Stop the idle child; later ``take`` calls return None (recordings go cold)."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, None
        if idle is not None:
            idle.stop()

    def __enter__(self) -> WarmPool:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
