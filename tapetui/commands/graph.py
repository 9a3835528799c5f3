"""``tapetui graph``: one gradient call's graph as a .dot, .svg or .png file."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from tapetui.commands.options import Parser, UsageError, add_run_options
from tapetui.commands.paths import check_paths, check_writable
from tapetui.commands.run import EXIT_OK, obtain_trace
from tapetui.trace.printable import printable


def cmd_graph(argv: Sequence[str]) -> int:
    parser = Parser(prog="tapetui graph", description="Draw one gradient call's graph.")
    parser.add_argument("target", help="a scenario (.py, recorded now) or a trace (.json)")
    parser.add_argument("--call", type=int, help="the gradient call to draw (default: the first)")
    parser.add_argument("-o", "--output", required=True, help="OUT.dot, OUT.svg or OUT.png")
    add_run_options(parser)
    args = parser.parse_args(argv)
    check_paths([args.target])
    out = check_writable(args.output, "-o", "graph.svg")
    from tapetui.report.graph_export import export

    problem = export(out, args.call, lambda: obtain_trace(args.target, args.seed, args.timeout))
    if problem is not None:
        raise UsageError(problem)
    print(f"tapetui: wrote {printable(str(out))}", file=sys.stderr)
    return EXIT_OK
