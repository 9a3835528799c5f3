"""The recording child: ``python -m tapetui.record SCENARIO --stream FILE [--seed N]``
``[--argv=JSON] [--module=M]`` (the scenario's ``sys.argv[1:]`` as a JSON list; ``-m``).

``python -m tapetui.record --warm CONTROL_FD READY_FD LIFELINE_FD`` is the same child started
before its scenario is known: it imports TensorFlow, then reads the same arguments from a pipe
(``tapetui.record.warm``). With a lifeline (``--lifeline FD`` for a cold child), the child ends its
process group when the parent is gone (``tapetui.record.lifeline``).
"""

from __future__ import annotations

import argparse
import atexit
import gc
import json
import os
import sys
import threading
from typing import TYPE_CHECKING, NoReturn

if TYPE_CHECKING:
    from tapetui.trace.stream import RecordWriter


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tapetui.record")
    parser.add_argument("scenario")
    parser.add_argument("--stream", required=True, help="file the trace records are written to")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--lifeline", type=int, default=None, help="end the group when it closes")
    parser.add_argument("--argv", type=json.loads, default=[], help="sys.argv[1:], as JSON")
    parser.add_argument("--module", default=None, help="run SCENARIO as `python -m MODULE`")
    from tapetui.record.budget import add_budget_options, budget_from_options

    add_budget_options(parser)
    argv = sys.argv[1:] if argv is None else argv
    warm = argv[:1] == ["--warm"]
    args = None if warm else parser.parse_args(argv)
    from tapetui.record.tf_support import unsupported_reason

    reason = unsupported_reason()  # before TensorFlow is imported: its private APIs may differ
    if reason is not None:
        print(f"tapetui: {reason}", file=sys.stderr)
        return 2
    lifeline = int(argv[3]) if warm and len(argv) > 3 else args.lifeline if args else None
    if lifeline is not None:
        from tapetui.record.lifeline import watch_parent

        watch_parent(lifeline)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("MPLBACKEND", "module://tapetui.record.mpl_backend")  # figures.BACKEND

    # Capture output before TensorFlow is imported, so that its loggers write to the capture.
    from tapetui.record.output import CapturedOutput

    output = CapturedOutput()
    from tapetui.record.runner import record_file
    from tapetui.trace.stream import RecordWriter

    # What the imports made lives as long as the process: keep the garbage collector off it, so
    # that collections (and the one at exit) only look at what the scenario makes.
    gc.freeze()
    if warm:
        from tapetui.record.warm import receive_job

        job = receive_job(int(argv[1]), int(argv[2]))
        if job is None:  # the UI quit before it needed this child
            output.restore()
            return 0
        args = parser.parse_args(job)
    assert args is not None

    with open(args.stream, "w", encoding="utf-8") as stream:
        writer = RecordWriter(stream)
        os.register_at_fork(after_in_child=lambda: _forget_stream(writer))
        try:
            code = record_file(
                args.scenario,
                writer,
                seed=args.seed,
                output=output,
                budget=budget_from_options(args),
                argv=[str(arg) for arg in args.argv],
                module=args.module,
            )
        finally:
            writer.close()
    output.restore()
    sys.stdout.flush()
    return code


def _forget_stream(writer: RecordWriter) -> None:
    """In a process the scenario forked: the trace is the parent's to write, so nothing this
    process still holds or records reaches the stream (``os.fork()`` returns twice, and both
    processes run to the scenario's end)."""
    writer.forget(open(os.devnull, "w", encoding="utf-8"))


def exit_without_teardown(code: int) -> NoReturn:
    """Exit as Python does, but skip tearing TensorFlow down (1-1.5 s that would delay the trace).

    What a scenario can observe still happens, in Python's order: its non-daemon threads are
    waited for, its atexit handlers run, unreachable objects (open files) are finalised, the
    streams are flushed. Only module and C++ teardown, which nobody sees, is skipped.
    """
    for thread in threading.enumerate():
        if thread is not threading.main_thread() and not thread.daemon:
            thread.join()
    atexit._run_exitfuncs()
    gc.collect()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # closed by the scenario, or by a collected wrapper
            pass
    os._exit(code)


if __name__ == "__main__":
    exit_without_teardown(main())
