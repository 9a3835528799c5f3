"""Runs one workload plainly and under tapetui's recorder, taking turns in this one process, and
prints each mode's per-step times as JSON.

    python benchmarks/_loop_side_by_side.py WORKLOAD ROUNDS [EXTRA_MODES]

``EXTRA_MODES`` (comma-separated) adds modes to the turns: ``detailed`` (the same recorder with
an unlimited budget, every op in detail: ``--budget-tapes 0 --budget-ops 0``) and ``eager``
(plain, with ``tf.function``s run eagerly, as the recorder runs them).

On a shared machine a whole process can run 20-30 % slower than the next one; taking turns in one
process puts the modes under the same conditions. Each round runs the modes in a new order (the
same orders on every run of the benchmark), so no mode always runs right after another, and plain
runs twice: how far ``plain 2nd`` is from ``plain`` is the measurement's own noise. TensorFlow's
debug dump is not among the turns: at 5-7x plain it would stretch a round to half a minute, long
enough for the machine's speed to change within it (``recording_overhead.py`` runs it in its own
processes). The recorder is the one the recording child runs (``record_file`` with the stream
writer and the output capture), so only the process around it differs; ``recording_overhead.py``
measures that part as the whole process.
"""

from __future__ import annotations

import contextlib
import gc
import io
import json
import os
import random
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import tensorflow  # imported before gc.freeze, as every mode's workload needs it

from tapetui.record import script
from tapetui.record.budget import DEFAULT_BUDGET, Budget
from tapetui.record.output import CapturedOutput
from tapetui.record.runner import record_file
from tapetui.trace.stream import RecordWriter

FULL_DETAIL = Budget(tapes=0, ops=0)


def _series(printed: str, name: str) -> list[float]:
    line = next(x for x in printed.splitlines() if x.startswith(f"{name}="))
    return [float(t) for t in line.split("=", 1)[1].split(",")]


def _printed(run: Callable[[], object]) -> dict[str, list[float]]:
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        run()
    text = buffer.getvalue()
    return {name: _series(text, name) for name in ("step_seconds", "step_cpu_seconds")}


def _run(workload: str) -> None:
    """The workload as ``__main__``, run as the recorder runs a scenario: its code right above
    this frame (``tapetui.record.script``). TensorFlow walks up to 30 Python frames for each
    op's stack trace, so plain and recorded runs have the same number of frames below the
    workload's: ``main`` → mode → ``_printed`` → a function → the workload."""
    path = os.path.abspath(workload)
    with script.as_main(path) as main_globals:
        exec(script.compiled(path), main_globals)


def plain(workload: str) -> dict[str, list[float]]:
    return _printed(lambda: _run(workload))


def eager(workload: str) -> dict[str, list[float]]:
    tensorflow.config.run_functions_eagerly(True)
    try:
        return plain(workload)
    finally:
        tensorflow.config.run_functions_eagerly(False)


def tapetui(workload: str, budget: Budget = DEFAULT_BUDGET) -> dict[str, list[float]]:
    def run() -> None:
        output = CapturedOutput(close_stdin=False)  # tees into the redirected stdout
        with tempfile.TemporaryDirectory() as tmp, open(Path(tmp) / "trace.jsonl", "w") as out:
            writer = RecordWriter(out)
            try:
                record_file(workload, writer, output=output, budget=budget)
            finally:
                writer.close()
                output.restore()

    return _printed(run)


def detailed(workload: str) -> dict[str, list[float]]:
    return tapetui(workload, FULL_DETAIL)


EXTRA_MODES: dict[str, Callable[[str], dict[str, list[float]]]] = {
    "detailed": detailed,
    "eager": eager,
}


def main() -> None:
    workload, rounds = sys.argv[1], int(sys.argv[2])
    extra = [m for m in (sys.argv[3] if len(sys.argv) > 3 else "").split(",") if m]
    modes = {"plain": plain, "plain 2nd": plain, "tapetui": tapetui}
    modes.update({mode: EXTRA_MODES[mode] for mode in extra})
    gc.freeze()  # the imports' objects, out of every mode's collections alike
    plain(workload)  # TensorFlow's first run of each op is slow: a round no mode is timed on
    runs: dict[str, list[dict[str, list[float]]]] = {mode: [] for mode in modes}
    for round_ in range(rounds):
        order = list(modes)
        random.Random(round_).shuffle(order)
        for mode in order:
            # An earlier turn's recorder and everything it kept are garbage held in cycles, freed
            # only by a full collection: collected here, not during (and charged to) this turn.
            gc.collect()
            runs[mode].append(modes[mode](workload))
    print(json.dumps(runs))


if __name__ == "__main__":
    main()
