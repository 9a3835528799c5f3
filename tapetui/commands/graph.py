"""``tapetui graph``: one gradient call's graph as a .dot, .svg or .png file.

Like ``record`` and ``report``: a scenario may be a notebook or ``-m MODULE``, ``-- ARGS`` is its
``sys.argv[1:]``, and a scenario that raised exits 1 once the graph of what it recorded is written.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from tapetui.commands.options import Parser, UsageError, add_run_options, budget
from tapetui.commands.paths import check_paths, check_writable
from tapetui.commands.run import EXIT_OK, exit_code_for, obtain_trace, target_of, warn_about
from tapetui.scenario.target import add_module_option, split_scenario_args
from tapetui.trace import Trace
from tapetui.trace.jsonio import is_trace_path
from tapetui.trace.printable import printable


def graph_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="tapetui graph", description="Draw one gradient call's graph.")
    parser.add_argument(
        "target", nargs="?", help="a scenario (.py or .ipynb, recorded now) or a trace (.json)"
    )
    add_module_option(parser)
    parser.add_argument("--call", type=int, help="the gradient call to draw (default: the first)")
    parser.add_argument("-o", "--output", required=True, help="OUT.dot, OUT.svg or OUT.png")
    add_run_options(parser)
    return parser


def cmd_graph(argv: Sequence[str]) -> int:
    argv, rest = split_scenario_args(argv)
    args = graph_parser().parse_args(argv)
    run = target_of(rest, [args.target], args.module)
    check_paths([run.path])
    out = check_writable(args.output, "-o", "graph.svg", [run.path])
    limits = budget(args)
    from tapetui.report.graph_export import export

    traces: list[Trace] = []

    def obtain() -> Trace:
        traces.append(obtain_trace(run.path, args.seed, args.timeout, limits, run))
        return traces[-1]

    problem = export(out, args.call, obtain)
    failed = EXIT_OK if is_trace_path(run.path) or not traces else exit_code_for(traces[0])
    if problem is not None and failed == EXIT_OK:
        raise UsageError(problem)
    if problem is not None:  # e.g. it raised before its first gradient call: say both
        print(f"tapetui: {printable(problem)}", file=sys.stderr)
    else:
        print(f"tapetui: wrote {printable(str(out))}", file=sys.stderr)
    if failed != EXIT_OK:
        warn_about(traces[0], run.path)
    return failed
