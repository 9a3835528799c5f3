"""Building a big trace, or an index over one, without the garbage collector rescanning it.

A 100,000-op trace is a few million objects that hold no reference cycles (reference counting
frees them when the trace is dropped). The cyclic collector would still rescan them all on
every full collection, about a second each on that trace, landing on whatever key the user
pressed; while the trace is being built it would rescan them again and again for nothing.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def collector_paused(freeze: bool = False) -> Iterator[None]:
    """Pause the cyclic collector while building; with ``freeze``, move everything alive at the
    end out of its sight (``gc.freeze``) until :func:`thaw`."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
        if freeze:
            gc.freeze()
    finally:
        if enabled:
            gc.enable()


def thaw() -> None:
    """Let the collector see frozen objects again (the big trace is no longer shown)."""
    gc.unfreeze()
