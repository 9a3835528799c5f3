"""``tapetui record`` (a scenario to a trace file) and ``tapetui report`` (a summary of every
gradient call), neither with a UI."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from tapetui.commands.options import UsageError, budget, shown
from tapetui.commands.parsers import record_parser, report_parser
from tapetui.commands.paths import check_paths, check_writable
from tapetui.commands.run import EXIT_OK, exit_code_for, obtain_trace, target_of, warn_about
from tapetui.scenario.target import split_scenario_args
from tapetui.trace import save
from tapetui.trace.jsonio import is_trace_path
from tapetui.trace.printable import json_safe, printable


def cmd_record(argv: Sequence[str]) -> int:
    argv, rest = split_scenario_args(argv)
    args = record_parser().parse_args(argv)
    run = target_of(rest, [args.scenario], args.module)
    args.scenario = run.path
    check_paths([args.scenario])
    out = check_writable(args.output, "-o", "trace.json", [args.scenario])
    if is_trace_path(args.scenario):
        raise UsageError(f"{args.scenario} is a trace; record takes a Python scenario")
    trace = obtain_trace(args.scenario, args.seed, args.timeout, budget(args), run)
    try:
        save(trace, out)
    except OSError as exc:
        why = (exc.strerror or str(exc)).lower()
        raise UsageError(f"cannot write {shown(out)}: {why}; the trace was not saved") from None
    warn_about(trace, args.scenario)
    print(f"tapetui: wrote {printable(str(out))} ({len(trace.events)} events)", file=sys.stderr)
    return exit_code_for(trace)


def cmd_report(argv: Sequence[str]) -> int:
    argv, rest = split_scenario_args(argv)
    args = report_parser().parse_args(argv)
    run = target_of(rest, [args.target], args.module)
    args.target = run.path
    check_paths([args.target])
    from tapetui.report import render_json, render_text

    trace = obtain_trace(args.target, args.seed, args.timeout, budget(args), run)
    print(json_safe(render_json(trace)) if args.json else render_text(trace), end="")
    warn_about(trace, args.target)
    return exit_code_for(trace) if not is_trace_path(args.target) else EXIT_OK
