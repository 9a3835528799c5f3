"""Figures the scenario shows: ``plt.show()`` saves each one as a PNG, listed in the trace.

The recording child runs matplotlib with tapetui's own backend (``MPLBACKEND`` is
``module://tapetui.record.mpl_backend``), so matplotlib is imported only if the scenario imports
it. That backend calls :func:`shown` for each figure shown, and :func:`saved` for each file the
scenario's own ``savefig`` wrote; the recorder (set by the runner) notes its path, line and how
(``show``/``savefig``) in the trace's meta (``figures``) and as a ``figure`` output event, which
the output pane shows among what the scenario printed. This module never imports matplotlib.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from typing import Any

BACKEND = "module://tapetui.record.mpl_backend"
"""``MPLBACKEND`` in the recording child."""

Notify = Callable[[str, str], None]
"""Told the path of each figure file written, and how: ``show`` or ``savefig``."""

_state: dict[str, Any] = {"notify": None, "folder": None, "count": 0, "showing": False}


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
    _state["showing"] = True
    try:
        figure.savefig(path, format="png")
    finally:
        _state["showing"] = False
    _tell(path, "show")
    return path


def saved(path: str) -> None:
    """The scenario's ``savefig`` wrote ``path`` (as it named it); not the saves of :func:`shown`."""
    if not _state["showing"]:
        _tell(path, "savefig")


def _tell(path: str, how: str) -> None:
    notify = _state["notify"]
    if notify is not None:
        notify(path, how)
