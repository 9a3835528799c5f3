"""``tapetui serve``: the debugger in a web browser."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from tapetui.commands.options import Parser, UsageError, add_seed
from tapetui.commands.paths import check_paths
from tapetui.commands.run import EXIT_OK
from tapetui.trace import load
from tapetui.trace.jsonio import is_trace_path


def _port(text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise argparse.ArgumentTypeError(f"{text!r:.40} is not a port; give 1 to 65535")
    return int(text)


def cmd_serve(argv: Sequence[str]) -> int:
    parser = Parser(prog="tapetui serve", description="Serve the debugger to web browsers.")
    parser.add_argument("path", help="a scenario (.py), a folder of scenarios, or a trace (.json)")
    parser.add_argument("--port", type=_port, default=8000, help="port to listen on (8000)")
    parser.add_argument("--host", default="localhost", help="address to listen on (localhost)")
    parser.add_argument("--watch", action="store_true", help="record again when a file is saved")
    add_seed(parser)
    args = parser.parse_args(argv)
    check_paths([args.path])
    if is_trace_path(args.path):
        load(args.path)  # a bad trace is one sentence here, not in every browser
    elif not Path(args.path).is_dir():
        from tapetui.record.process import check_scenario

        check_scenario(args.path)
    from tapetui.serve import serve

    try:
        options = ["--seed", str(args.seed), *(["--watch"] if args.watch else [])]
        serve(args.path, host=args.host, port=args.port, options=options)
    except OSError as exc:
        why = (exc.strerror or str(exc)).split(" (while attempting")[0].lower()
        raise UsageError(f"cannot listen on {args.host}, port {args.port}: {why}") from None
    return EXIT_OK
