"""The argument parsers of ``tapetui``, ``tapetui record`` and ``tapetui report``, and the
usage text the bare command prints."""

from __future__ import annotations

import argparse

from tapetui.commands.options import Parser, add_run_options, add_seed
from tapetui.record.budget import add_budget_options
from tapetui.scenario.target import add_module_option

USAGE = """\
tapetui SCENARIO.py | DIR | A.py B.py … | TRACE.json   open the debugger
tapetui record SCENARIO.py -o TRACE.json                record without a UI
tapetui report SCENARIO.py|TRACE.json [--json]          summary of every gradient call
tapetui serve SCENARIO.py|DIR|TRACE.json [--port N]     the debugger in a web browser
tapetui graph SCENARIO.py|TRACE.json [--call N] -o OUT  a gradient call's graph (.dot/.svg/.png)
  a scenario may be a notebook (.ipynb) or -m MODULE; -- ARGS passes ARGS as its sys.argv[1:]"""


def record_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="tapetui record", description="Record a scenario.")
    parser.add_argument("scenario", nargs="?", help="the Python file or notebook to record")
    add_module_option(parser)
    parser.add_argument("-o", "--output", required=True, help="where to write the trace (JSON)")
    add_run_options(parser)
    return parser


def report_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="tapetui report", description="Summarise every gradient call and explain each None."
    )
    parser.add_argument(
        "target", nargs="?", help="a scenario (.py or .ipynb, recorded now) or a trace (.json)"
    )
    add_module_option(parser)
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    add_run_options(parser)
    return parser


def ui_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="tapetui",
        usage=USAGE,
        description="A terminal step-debugger for TensorFlow's tf.GradientTape.",
    )
    parser.add_argument("paths", nargs="*", help="scenario files, a folder, or one trace")
    add_module_option(parser)
    add_seed(parser)
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
    parser.add_argument("--watch", action="store_true", help="record again when a file is saved")
    add_budget_options(parser)
    return parser
