"""The recording child: ``python -m tapetui.record SCENARIO --stream FILE [--seed N]``."""

from __future__ import annotations

import argparse
import os
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tapetui.record")
    parser.add_argument("scenario")
    parser.add_argument("--stream", required=True, help="file the trace records are written to")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("MPLBACKEND", "Agg")

    # Capture output before TensorFlow is imported, so that its loggers write to the capture.
    from tapetui.record.output import CapturedOutput

    output = CapturedOutput()
    from tapetui.record.runner import record_file
    from tapetui.trace.stream import write_record

    with open(args.stream, "w", encoding="utf-8") as stream:
        code = record_file(
            args.scenario,
            lambda key, value: write_record(stream, key, value),
            seed=args.seed,
            output=output,
        )
    output.restore()
    sys.stdout.flush()
    return code


if __name__ == "__main__":
    sys.exit(main())
