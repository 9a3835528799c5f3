"""The ``tapetui`` command: open the debugger, or ``record`` / ``report`` without a UI.

Exit codes: 0 the scenario ran to its end; 1 it raised, exited non-zero, died or timed out (what
was recorded is still written or printed); 2 bad usage or unreadable input. Every argument is
checked before any child process starts; a bad one gets one sentence on stderr.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from tapetui.commands.graph import cmd_graph
from tapetui.commands.open import cmd_ui
from tapetui.commands.options import UsageError
from tapetui.commands.parsers import USAGE
from tapetui.commands.parsers import record_parser as _record_parser
from tapetui.commands.parsers import report_parser as _report_parser
from tapetui.commands.parsers import ui_parser as _ui_parser
from tapetui.commands.record import cmd_record, cmd_report
from tapetui.commands.run import (
    EXIT_BAD_INPUT,
    EXIT_OK,
    EXIT_SCENARIO_FAILED,
    exit_code_for,
    obtain_trace,
)
from tapetui.commands.serve import cmd_serve
from tapetui.trace import TraceFormatError
from tapetui.trace.printable import printable

__all__ = [
    "EXIT_BAD_INPUT",
    "EXIT_OK",
    "EXIT_SCENARIO_FAILED",
    "USAGE",
    "UsageError",
    "_record_parser",
    "_report_parser",
    "_ui_parser",
    "exit_code_for",
    "main",
    "obtain_trace",
]

COMMANDS = {"record": cmd_record, "report": cmd_report, "graph": cmd_graph, "serve": cmd_serve}


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
