"""The ``tapetui`` command: open the debugger, or ``record`` / ``report`` without a UI.

Exit codes: 0 the scenario ran to its end; 1 it raised, exited non-zero, died or timed out (what
was recorded is still written or printed); 2 bad usage or unreadable input. Every argument is
checked before any child process starts; a bad one gets one sentence on stderr.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from tapetui.record.budget import Budget, add_budget_options, budget_from_options
from tapetui.trace import Trace, TraceFormatError, load, save
from tapetui.trace.printable import json_safe, printable

EXIT_OK = 0
EXIT_SCENARIO_FAILED = 1
EXIT_BAD_INPUT = 2

USAGE = """\
tapetui SCENARIO.py | DIR | A.py B.py … | TRACE.json   open the debugger
tapetui record SCENARIO.py -o TRACE.json                record without a UI
tapetui report SCENARIO.py|TRACE.json [--json]          summary of every gradient call"""


SEEDS = 2**32
"""Seeds run from 0 to 2**32 - 1, the range NumPy's generator takes."""
MAX_SIZE = (1000, 500)
"""The largest ``--size`` (columns, rows)."""
SHOWN_PATH = 160
"""Characters of a path shown in a message before it is cut (an overlong path is thousands)."""


class UsageError(Exception):
    """Bad input from the user: one sentence, exit code 2."""


class Parser(argparse.ArgumentParser):
    """argparse with its errors as one sentence (its own usage text would be several lines)."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see {self.prog} --help)")


def shown(path: str | Path) -> str:
    """A path as a message shows it: cut when overlong."""
    text = str(path)
    if len(text) <= SHOWN_PATH:
        return text
    return f"{text[: SHOWN_PATH - 1]}… ({len(text)} characters)"


def _seed(text: str) -> int:
    try:
        seed = int(text)
    except ValueError:
        seed = -1
    if not 0 <= seed < SEEDS:
        raise argparse.ArgumentTypeError(
            f"{text!r:.40} is not a seed; give a whole number from 0 to {SEEDS - 1}"
        )
    return seed


def _timeout(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not 0 < seconds < math.inf:
        raise argparse.ArgumentTypeError(f"{text!r:.40} is not a number of seconds above 0")
    return seconds


def _add_seed(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--seed", type=_seed, default=0, help="RNG seed for the scenario, 0 to 2**32-1 (default 0)"
    )


def _add_run_options(parser: argparse.ArgumentParser) -> None:
    _add_seed(parser)
    parser.add_argument(
        "--timeout", type=_timeout, default=None, help="stop the scenario after SECONDS"
    )
    add_budget_options(parser)


def _budget(args: argparse.Namespace) -> Budget:
    try:
        return budget_from_options(args)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def _record_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="tapetui record", description="Record a scenario.")
    parser.add_argument("scenario", help="the Python file to run and record")
    parser.add_argument("-o", "--output", required=True, help="where to write the trace (JSON)")
    _add_run_options(parser)
    return parser


def _report_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="tapetui report", description="Summarise every gradient call and explain each None."
    )
    parser.add_argument("target", help="a scenario (.py, recorded now) or a trace (.json)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    _add_run_options(parser)
    return parser


def _ui_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="tapetui",
        usage=USAGE,
        description="A terminal step-debugger for TensorFlow's tf.GradientTape.",
    )
    parser.add_argument("paths", nargs="+", help="scenario files, a folder, or one trace")
    _add_seed(parser)
    parser.add_argument("--screenshot", metavar="OUT.svg", help="render headlessly to an SVG")
    parser.add_argument(
        "--press", default="", metavar="KEYS", help="comma-separated keys to press first"
    )
    parser.add_argument("--size", default=None, metavar="WxH", help="terminal size, e.g. 120x40")
    parser.add_argument(
        "--at-gradient",
        action="store_true",
        help="open on the first gradient call instead of the first recorded op",
    )
    add_budget_options(parser)
    return parser


def _parse_size(text: str | None) -> tuple[int, int] | None:
    if text is None:
        return None
    try:
        width, height = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise UsageError(f"--size {text!r:.40} is not WIDTHxHEIGHT, e.g. 120x40") from None
    if width < 20 or height < 10:
        raise UsageError(f"--size {text!r:.40} is too small; use at least 20x10")
    if width > MAX_SIZE[0] or height > MAX_SIZE[1]:
        raise UsageError(
            f"--size {text!r:.40} is too large; use at most {MAX_SIZE[0]}x{MAX_SIZE[1]}"
        )
    return width, height


def _problem(path: Path) -> str | None:
    """Why ``path`` cannot be looked at (an overlong name, a file where a folder should be)."""
    try:
        path.exists()
    except OSError as exc:
        return exc.strerror.lower() if exc.strerror else str(exc)
    except ValueError:  # only from a program's own call: a shell cannot pass NUL
        return "it holds a NUL character"
    return None


def check_paths(paths: Sequence[str]) -> None:
    """Each path can at least be looked at; the rest is checked where it is opened."""
    for path in paths:
        problem = _problem(Path(path))
        if problem is not None:
            raise UsageError(f"cannot open {shown(path)}: {problem}")


def check_writable(path: str, option: str, example: str) -> Path:
    """``path`` is a file that can be written, checked by opening it (nothing is truncated)."""
    out = Path(path)
    problem = _problem(out)
    if problem is None and out.is_dir():
        raise UsageError(f"{shown(out)} is a folder; give {option} a file name such as {example}")
    if problem is None and not out.parent.is_dir():
        parent = shown(out.parent)
        why = f"the folder {parent} does not exist"
        if out.parent.exists():
            why = f"{parent} is not a folder"
        raise UsageError(f"cannot write {shown(out)}: {why}")
    if problem is None:
        problem = _try_open(out)
    if problem is not None:
        raise UsageError(f"cannot write {shown(out)}: {problem}")
    return out


def _try_open(out: Path) -> str | None:
    """Why ``out`` cannot be opened for writing, or ``None`` (a file it made is removed again;
    non-blocking, so a pipe with no reader is refused instead of waited on)."""
    existed = out.exists()
    try:
        os.close(os.open(out, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NONBLOCK, 0o666))
    except OSError as exc:
        return (exc.strerror or str(exc)).lower()
    if not existed:
        out.unlink()
    return None


def obtain_trace(
    target: str, seed: int, timeout: float | None, budget: Budget | None = None
) -> Trace:
    """Load a ``.json`` trace, or record a scenario in a child process."""
    if target.endswith(".json"):
        return load(target)
    from tapetui.record.process import check_scenario, record
    from tapetui.record.tf_support import check_tensorflow

    check_scenario(target)
    check_tensorflow()
    return record(target, seed=seed, timeout=timeout, budget=budget)


def exit_code_for(trace: Trace) -> int:
    """0 when the scenario ran to its end; its exit status when it ended with ``SystemExit``
    (what ``python scenario.py`` ends with); else 1."""
    if trace.status == "finished":
        return EXIT_OK
    if trace.status == "exited" and trace.exit_code is not None and trace.exit_code >= 0:
        return trace.exit_code
    return EXIT_SCENARIO_FAILED


def _warn_about(trace: Trace, target: str) -> None:
    """One sentence on stderr about how the run ended, when it did not simply finish."""
    from tapetui.report.text import ending_sentence

    sentence = ending_sentence(trace, target)
    if sentence:
        print(f"tapetui: {printable(sentence)}", file=sys.stderr)


def cmd_record(argv: Sequence[str]) -> int:
    args = _record_parser().parse_args(argv)
    check_paths([args.scenario])
    out = check_writable(args.output, "-o", "trace.json")
    if args.scenario.endswith(".json"):
        raise UsageError(f"{args.scenario} is a trace; record takes a Python scenario")
    trace = obtain_trace(args.scenario, args.seed, args.timeout, _budget(args))
    save(trace, out)
    _warn_about(trace, args.scenario)
    print(f"tapetui: wrote {printable(str(out))} ({len(trace.events)} events)", file=sys.stderr)
    return exit_code_for(trace)


def cmd_report(argv: Sequence[str]) -> int:
    args = _report_parser().parse_args(argv)
    check_paths([args.target])
    from tapetui.report import render_json, render_text

    trace = obtain_trace(args.target, args.seed, args.timeout, _budget(args))
    print(json_safe(render_json(trace)) if args.json else render_text(trace), end="")
    _warn_about(trace, args.target)
    return exit_code_for(trace) if not args.target.endswith(".json") else EXIT_OK


def cmd_ui(argv: Sequence[str]) -> int:
    args = _ui_parser().parse_args(argv)
    size = _parse_size(args.size)
    press = _press(args.press, args.screenshot)
    check_paths(args.paths)
    if args.screenshot is not None:
        check_writable(args.screenshot, "--screenshot", "shot.svg")
    from tapetui.ui import run

    budget = _budget(args)
    return run(
        args.paths,
        seed=args.seed,
        screenshot=args.screenshot,
        press=press,
        size=size,
        budget=budget,
        at_gradient=args.at_gradient,
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


COMMANDS = {"record": cmd_record, "report": cmd_report}


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv:
        print(USAGE, file=sys.stderr)
        return EXIT_BAD_INPUT
    command = COMMANDS.get(argv[0])
    from tapetui.record.process import ScenarioError
    from tapetui.record.tf_support import UnsupportedTensorFlow

    try:
        return command(argv[1:]) if command else cmd_ui(argv)
    except SystemExit as exc:  # argparse: --help is 0, a usage error is 2
        return exc.code if isinstance(exc.code, int) else EXIT_BAD_INPUT
    except (UsageError, ScenarioError, TraceFormatError, UnsupportedTensorFlow) as exc:
        print(f"tapetui: {printable(str(exc))}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("tapetui: interrupted", file=sys.stderr)
        return 130
