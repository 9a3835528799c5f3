"""Which thread the scenario is running: tapes, gradient calls and ops are named by it."""

from __future__ import annotations

import threading
from threading import get_ident

_MAIN_THREAD = threading.main_thread().ident


def thread_name() -> str | None:
    """The running thread's name, or ``None`` on the main thread (most of the time: cheap)."""
    return None if get_ident() == _MAIN_THREAD else threading.current_thread().name
