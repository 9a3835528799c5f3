"""The ``tapetui`` command: open the debugger, or ``record`` / ``report`` without a UI.

Exit codes: 0 the scenario ran to its end; 1 it raised, exited non-zero, died or timed out (what
was recorded is still written or printed); 2 bad usage or unreadable input.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from tapetui.record.budget import Budget, add_budget_options, budget_from_options
from tapetui.trace import Trace, TraceFormatError, load, save

EXIT_OK = 0
EXIT_SCENARIO_FAILED = 1
EXIT_BAD_INPUT = 2

USAGE = """\
tapetui SCENARIO.py | DIR | A.py B.py … | TRACE.json   open the debugger
tapetui record SCENARIO.py -o TRACE.json                record without a UI
tapetui report SCENARIO.py|TRACE.json [--json]          summary of every gradient call"""


class UsageError(Exception):
    """Bad input from the user: one sentence, exit code 2."""


def _add_run_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seed", type=int, default=0, help="RNG seed for the scenario (default 0)")
    parser.add_argument(
        "--timeout", type=float, default=None, help="stop the scenario after SECONDS"
    )
    add_budget_options(parser)


def _budget(args: argparse.Namespace) -> Budget:
    try:
        return budget_from_options(args)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def _record_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tapetui record", description="Record a scenario.")
    parser.add_argument("scenario", help="the Python file to run and record")
    parser.add_argument("-o", "--output", required=True, help="where to write the trace (JSON)")
    _add_run_options(parser)
    return parser


def _report_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tapetui report", description="Summarise every gradient call and explain each None."
    )
    parser.add_argument("target", help="a scenario (.py, recorded now) or a trace (.json)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    _add_run_options(parser)
    return parser


def _ui_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tapetui",
        usage=USAGE,
        description="A terminal step-debugger for TensorFlow's tf.GradientTape.",
    )
    parser.add_argument("paths", nargs="+", help="scenario files, a folder, or one trace")
    parser.add_argument("--seed", type=int, default=0, help="RNG seed for the scenario (default 0)")
    parser.add_argument("--screenshot", metavar="OUT.svg", help="render headlessly to an SVG")
    parser.add_argument(
        "--press", default="", metavar="KEYS", help="comma-separated keys to press first"
    )
    parser.add_argument("--size", default=None, metavar="WxH", help="terminal size, e.g. 120x40")
    add_budget_options(parser)
    return parser


def _parse_size(text: str | None) -> tuple[int, int] | None:
    if text is None:
        return None
    try:
        width, height = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise UsageError(f"--size {text!r} is not WIDTHxHEIGHT, e.g. 120x40") from None
    if width < 20 or height < 10:
        raise UsageError(f"--size {text!r} is too small; use at least 20x10")
    return width, height


def obtain_trace(
    target: str, seed: int, timeout: float | None, budget: Budget | None = None
) -> Trace:
    """Load a ``.json`` trace, or record a scenario in a child process."""
    if target.endswith(".json"):
        return load(target)
    from tapetui.record.process import check_scenario, record

    check_scenario(target)
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
        print(f"tapetui: {sentence}", file=sys.stderr)


def cmd_record(argv: Sequence[str]) -> int:
    args = _record_parser().parse_args(argv)
    out = Path(args.output)
    if out.is_dir():
        raise UsageError(f"{out} is a directory; give -o a file name such as trace.json")
    if not out.parent.exists():
        raise UsageError(f"cannot write {out}: the folder {out.parent} does not exist")
    if args.scenario.endswith(".json"):
        raise UsageError(f"{args.scenario} is a trace; record takes a Python scenario")
    trace = obtain_trace(args.scenario, args.seed, args.timeout, _budget(args))
    save(trace, out)
    _warn_about(trace, args.scenario)
    print(f"tapetui: wrote {out} ({len(trace.events)} events)", file=sys.stderr)
    return exit_code_for(trace)


def cmd_report(argv: Sequence[str]) -> int:
    args = _report_parser().parse_args(argv)
    from tapetui.report import render_json, render_text

    trace = obtain_trace(args.target, args.seed, args.timeout, _budget(args))
    print(render_json(trace) if args.json else render_text(trace), end="")
    _warn_about(trace, args.target)
    return exit_code_for(trace) if not args.target.endswith(".json") else EXIT_OK


def cmd_ui(argv: Sequence[str]) -> int:
    args = _ui_parser().parse_args(argv)
    size = _parse_size(args.size)
    press = [key.strip() for key in args.press.split(",") if key.strip()]
    from tapetui.ui import run

    budget = _budget(args)
    return run(
        args.paths,
        seed=args.seed,
        screenshot=args.screenshot,
        press=press,
        size=size,
        budget=budget,
    )


COMMANDS = {"record": cmd_record, "report": cmd_report}


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv:
        print(USAGE, file=sys.stderr)
        return EXIT_BAD_INPUT
    command = COMMANDS.get(argv[0])
    from tapetui.record.process import ScenarioError

    try:
        return command(argv[1:]) if command else cmd_ui(argv)
    except SystemExit as exc:  # argparse: --help is 0, a usage error is 2
        return exc.code if isinstance(exc.code, int) else EXIT_BAD_INPUT
    except (UsageError, ScenarioError, TraceFormatError) as exc:
        print(f"tapetui: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("tapetui: interrupted", file=sys.stderr)
        return 130
