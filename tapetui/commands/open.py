"""The bare ``tapetui`` command: open the debugger on scenarios, a folder, or a trace."""

from __future__ import annotations

from collections.abc import Sequence

from tapetui.commands.options import UsageError, budget, parse_size
from tapetui.commands.parsers import ui_parser
from tapetui.commands.paths import check_paths, check_writable
from tapetui.scenario.target import TargetError, resolve, split_scenario_args
from tapetui.trace.jsonio import is_trace_path


def cmd_ui(argv: Sequence[str]) -> int:
    argv, rest = split_scenario_args(argv)
    args = ui_parser().parse_args(argv)
    try:
        args.paths, scenario_argv = resolve(args.paths, args.module, rest)
    except TargetError as exc:
        raise UsageError(str(exc)) from None
    if not args.paths:
        raise UsageError("give a scenario (.py, .ipynb or -m MODULE), a folder, or a trace")
    size = parse_size(args.size)
    press = _press(args.press, args.screenshot)
    check_paths(args.paths)
    if args.watch and any(map(is_trace_path, args.paths)):
        raise UsageError("--watch records a scenario again when it is saved; a trace is never run")
    if args.screenshot is not None:
        check_writable(args.screenshot, "--screenshot", "shot.svg", args.paths)
    from tapetui.ui import run

    limits = budget(args)
    return run(
        args.paths,
        seed=args.seed,
        screenshot=args.screenshot,
        press=press,
        size=size,
        budget=limits,
        at_gradient=args.at_gradient,
        argv=scenario_argv,
        module=args.module,
        watch=args.watch,
    )


def _press(text: str, screenshot: str | None) -> list[str]:
    from tapetui.ui.press import PressError, parse_press

    try:
        keys = parse_press(text)
    except PressError as exc:
        raise UsageError(str(exc)) from None
    if keys and screenshot is None:
        raise UsageError("--press works with --screenshot: give --screenshot OUT.svg too")
    return keys
