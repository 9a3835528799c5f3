"""The recording child's process group: everything the scenario starts lives and dies with it.

The child runs in a session of its own (``start_new_session``), so the scenario's processes (a
``multiprocessing`` pool, a ``subprocess``) share its process group, and the terminal's SIGHUP
never reaches them. Both halves live here:

- parent side (TF-free): ``end_group`` ends the whole group, SIGTERM then SIGKILL, on timeout,
  cancel, quit and after the child exits; ``Lifeline`` is a pipe whose write end only the parent
  holds; groups still running when the parent's interpreter exits are ended ``atexit``.
- child side: ``watch_parent`` waits on the lifeline's read end in a daemon thread; when the pipe
  closes (the parent died, even by ``kill -9``), it kills the group, itself included.
"""

from __future__ import annotations

import atexit
import os
import select
import signal
import subprocess
import threading
import time

GRACE_SECONDS = 1.0
"""How long the group has between SIGTERM and SIGKILL."""
PARENT_POLL_SECONDS = 0.5


# parent side ------------------------------------------------------------------------------------


class Lifeline:
    """A pipe to one child: the child gets ``child_fd``; the parent keeps the write end open
    while it lives, so the pipe closes when the parent ends, however it ends."""

    def __init__(self) -> None:
        self.child_fd, self._write = os.pipe()  # both non-inheritable until passed on

    def child_started(self) -> None:
        """The child has its copy of the read end: the parent's copy is not needed."""
        if self.child_fd >= 0:
            os.close(self.child_fd)
            self.child_fd = -1

    def close(self) -> None:
        """Cut it: a child still watching ends its group."""
        self.child_started()
        if self._write >= 0:
            os.close(self._write)
            self._write = -1


_running: dict[int, subprocess.Popen[bytes]] = {}
_running_lock = threading.Lock()


def started(process: subprocess.Popen[bytes]) -> None:
    """Remember a child leading its own group, to end the group if this interpreter exits."""
    with _running_lock:
        _running[process.pid] = process


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # a member we may not signal (it changed user): still there
        return True
    return True


def _signal_group(pgid: int, signum: int) -> None:
    try:
        os.killpg(pgid, signum)
    except (ProcessLookupError, PermissionError):
        pass


def end_group(process: subprocess.Popen[bytes], grace: float = GRACE_SECONDS) -> None:
    """End the child and every process of its group: SIGTERM, then SIGKILL after ``grace``
    seconds for whatever is left; the child is reaped. Quick when nothing is left."""
    pgid = process.pid  # a session leader's group id is its pid
    if process.poll() is None or group_alive(pgid):
        _signal_group(pgid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline:
            process.poll()  # a zombie leader still counts as a member until it is reaped
            if not group_alive(pgid):
                break
            time.sleep(0.02)
        _signal_group(pgid, signal.SIGKILL)
    process.wait()
    with _running_lock:
        _running.pop(process.pid, None)


@atexit.register
def _end_running_groups() -> None:
    """The UI quits while a recording runs: its worker thread may never get to end it."""
    with _running_lock:
        processes = list(_running.values())
    for process in processes:
        end_group(process, grace=0.5)


# child side -------------------------------------------------------------------------------------


def watch_parent(fd: int) -> None:
    """Kill this process's group once the lifeline ``fd`` closes (the parent is gone)."""
    parent = os.getppid()
    threading.Thread(
        target=_wait_for_parent, args=(fd, parent), name="tapetui-lifeline", daemon=True
    ).start()


def _wait_for_parent(fd: int, parent: int) -> None:
    try:
        while True:
            readable, _, _ = select.select([fd], [], [], PARENT_POLL_SECONDS)
            if readable and not os.read(fd, 64):
                break  # end of file: every write end is closed
            if os.getppid() != parent:
                break
    except (OSError, ValueError):  # the scenario closed the fd: watch the parent's pid instead
        while os.getppid() == parent:
            time.sleep(PARENT_POLL_SECONDS)
    os.killpg(os.getpgrp(), signal.SIGKILL)
