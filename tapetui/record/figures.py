"""Figures the scenario shows: ``plt.show()`` saves each one as a PNG, listed in the trace.

The recording child runs matplotlib with tapetui's own backend (``MPLBACKEND`` is
``module://tapetui.record.mpl_backend``), so matplotlib is imported only if the scenario imports
it. That backend calls :func:`shown` for each figure; the recorder (set by the runner) notes its
path and line in the trace's meta (``figures``) and as a ``figure`` output event, which the output
pane shows among what the scenario printed. This module never imports matplotlib.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from typing import Any

BACKEND = "module://tapetui.record.mpl_backend"

Notify = Callable[[str], None]
"""Told the path of each figure saved (the recorder's ``on_figure``)."""

_state: dict[str, Any] = {"notify": None, "folder": None, "count": 0}


def report_to(notify: Notify | None) -> None:
    """Send each saved figure's path to ``notify`` (``None``: to nobody)."""
    _state["notify"] = notify


def folder() -> str:
    """The folder figures are saved in: a new temporary folder, made at the first figure (never
    inside the scenario's folder, which the recording must not change)."""
    if _state["folder"] is None:
        _state["folder"] = tempfile.mkdtemp(prefix="tapetui-figures-")
    return str(_state["folder"])


def shown(figure: Any) -> str:
    """Save ``figure`` (a matplotlib ``Figure``) as the next PNG; returns its path."""
    _state["count"] += 1
    path = os.path.join(folder(), f"figure-{_state['count']}.png")
    figure.savefig(path, format="png")
    notify = _state["notify"]
    if notify is not None:
        notify(path)
    return path
