"""The Textual step-debugger; never imports TensorFlow (recording runs in a child process).

Textual itself loads only when ``run``/``build_app`` is called, so the plain-Python modules here
(``steps``, ``describe``, ``tapes``, ``overview``, ``why``) can be used and tested without it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tapetui.record.budget import Budget
    from tapetui.ui.app import TapeTuiApp


def run(
    paths: list[str],
    *,
    seed: int = 0,
    screenshot: str | None = None,
    press: list[str] | None = None,
    size: tuple[int, int] | None = None,
    budget: Budget | None = None,
    at_gradient: bool = False,
    argv: Sequence[str] = (),
    module: str | None = None,
    watch: bool = False,
) -> int:
    """Open the debugger on ``paths`` (see ``tapetui.ui.launch.run``); returns the exit code."""
    from tapetui.ui.launch import run as launch

    return launch(
        paths,
        seed=seed,
        screenshot=screenshot,
        press=press,
        size=size,
        budget=budget,
        at_gradient=at_gradient,
        argv=argv,
        module=module,
        watch=watch,
    )


def build_app(paths: list[str], seed: int = 0, at_gradient: bool = False) -> TapeTuiApp:
    """The app for ``paths``; raises ``tapetui.ui.launch.OpenError`` for paths it cannot open."""
    from tapetui.ui.launch import build_app as build

    return build(paths, seed, at_gradient=at_gradient)


__all__ = ["build_app", "run"]
