"""``run()``: what the CLI calls to open the debugger, interactively or headless for a screenshot."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from tapetui.trace import Trace, TraceFormatError, load
from tapetui.trace.jsonio import is_trace_path
from tapetui.trace.printable import printable
from tapetui.ui.app import TapeTuiApp
from tapetui.ui.scenarios import ScenarioEntry, discover

if TYPE_CHECKING:
    from tapetui.record.budget import Budget

READY_TIMEOUT = 300.0
"""Seconds a headless run waits for the recording before taking the screenshot anyway."""


class OpenError(Exception):
    """The paths cannot be opened; the message is one sentence for the user."""


def _check(path: str) -> None:
    try:
        from tapetui.record.process import ScenarioError, check_scenario
    except ImportError:
        if not Path(path).is_file():
            raise OpenError(f"{path} is not a file") from None
        return
    try:
        check_scenario(path)
    except ScenarioError as exc:
        raise OpenError(str(exc)) from None


def build_app(
    paths: list[str],
    seed: int = 0,
    budget: Budget | None = None,
    at_gradient: bool = False,
    argv: Sequence[str] = (),
    module: str | None = None,
) -> TapeTuiApp:
    """The app for ``paths``: one trace, one scenario, or several / a directory to pick from.

    ``argv`` (the scenario's ``sys.argv[1:]``) and ``module`` (``-m``; ``paths`` is its file)
    go to every recording, re-runs (``r``) included."""
    if not paths:
        raise OpenError("give a scenario (.py), a directory of scenarios, or a trace (.json)")
    if len(paths) == 1 and is_trace_path(paths[0]):
        try:
            trace: Trace = load(paths[0])
        except TraceFormatError as exc:
            raise OpenError(str(exc)) from None
        return TapeTuiApp(trace=trace, seed=seed, at_gradient=at_gradient)
    if any(map(is_trace_path, paths)):
        raise OpenError("a trace opens on its own: give one trace, or scenarios to pick among")
    for path in paths:
        if not Path(path).is_dir():
            _check(path)
    entries: list[ScenarioEntry] = discover(paths)
    if not entries:
        raise OpenError(f"no scenario (.py file) found in {', '.join(paths)}")
    app = TapeTuiApp(scenarios=entries, seed=seed, budget=budget, at_gradient=at_gradient)
    app.scenario_argv = tuple(argv)
    app.scenario_module = module
    return app


async def take_screenshot(
    app: TapeTuiApp, path: str, press: list[str], size: tuple[int, int]
) -> None:
    """Run ``app`` headless, wait for the recording, press ``press``, save an SVG to ``path``."""
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        waited = 0.0
        while not app.ready and waited < READY_TIMEOUT:
            await asyncio.sleep(0.05)
            waited += 0.05
        await pilot.pause()
        for key in press:
            await pilot.press(key)
            await pilot.pause()
        await pilot.wait_for_scheduled_animations()
        out = Path(path)
        app.save_screenshot(filename=out.name, path=str(out.parent.resolve()))


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
    """Open the debugger on ``paths``; returns the exit code (2 with a sentence on stderr for bad paths)."""
    try:
        app = build_app(paths, seed, budget, at_gradient, argv, module)
    except OpenError as exc:
        print(f"tapetui: {printable(str(exc))}", file=sys.stderr)
        return 2
    if watch:
        from tapetui.ui.watch import SaveWatch

        app.rerecord_on_save = SaveWatch()
    if screenshot is not None:
        asyncio.run(take_screenshot(app, screenshot, press or [], size or (120, 40)))
        return 0
    app.run(size=size)
    return app.return_code or 0
