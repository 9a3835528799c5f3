"""Recording real training code, side by side in one run: Keras ``fit`` and a ``@tf.function`` loop.

    python benchmarks/training_overhead.py [--repeat 3] [--turns 5] [--steps 256]

Plain ``python`` runs each workload as written: compiled (``fit``'s train function and the
``@tf.function`` step are graphs). tapetui records it with the default budget: functions run
eagerly, each call traced first (``tapetui/record/functions.py``), the first 3 steps in detail,
the rest summarised. Measured as in ``recording_overhead.py``: the whole process (``tapetui report
--json`` against ``python workload.py``, each mode's fastest of ``--repeat`` interleaved runs),
peak RSS and trace size, and the loop step by step inside the workload, in separate processes and
with plain and the recorder taking turns in one process (``_loop_side_by_side.py``; ``plain 2nd``
against ``plain`` is the measurement's own noise). The in-loop ratio compares eager steps with
compiled ones, so it is large by nature: it says what a summarised step costs, not a target.

Every op in detail (``detailed``: the recording child with ``--budget-tapes 0 --budget-ops 0``) is
judged against plain ``python`` running the same functions eagerly (``eager``,
``_eager_runner.py``), as the recorder runs them: compiled steps hide their ops from any eager
observer, so eager execution is the floor of any op-by-op record. TensorFlow's ``FULL_TENSOR``
dump (``tf dump``) runs the workload compiled, as written.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from recording_overhead import (
    PROCESS_TARGET,
    Run,
    _run,
    _spawn,
    loop_side_by_side,
    run_detailed,
    run_dump,
    run_plain,
    run_tapetui,
    verdict,
)

HERE = Path(__file__).resolve().parent
WORKLOADS = {
    "Keras fit, MLP (2 epochs x 128 steps)": HERE / "workloads" / "keras_fit_mlp_256.py",
    "@tf.function loop, MLP (300 steps)": HERE / "workloads" / "tf_function_mlp_300.py",
}
FIT_DETAIL_TARGET = 2.5
"""Keras ``fit`` with every op in detail, in the loop, against plain running it eagerly."""


def run_eager(workload: Path, env: dict[str, str]) -> Run:
    return _run(*_spawn([sys.executable, str(HERE / "_eager_runner.py"), str(workload)], env))


MODES = {"plain": run_plain, "tapetui": run_tapetui}
FIT_MODES = {**MODES, "eager": run_eager, "detailed": run_detailed, "tf dump": run_dump}


def measure(workload: Path, env: dict[str, str], repeat: int) -> dict[str, Run]:
    runs: dict[str, Run] = {}
    modes = FIT_MODES if workload.name.startswith("keras_fit") else MODES
    for _ in range(repeat):
        for mode, run in modes.items():
            result = run(workload, env)
            runs[mode] = runs[mode].best(result) if mode in runs else result
    return runs


def _row(name: str, mode: str, run: Run, plain: Run) -> str:
    trace = f"{run.trace_mb:8.2f}" if run.trace_mb is not None else f"{'-':>8}"
    return (
        f"{name:38} {mode:9} {run.loop_seconds:7.2f} {run.loop_seconds / plain.loop_seconds:6.2f} "
        f"{run.process_seconds:9.2f} {run.process_seconds / plain.process_seconds:6.2f} "
        f"{run.peak_rss_mb:11.0f} {trace}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3, help="interleaved runs of each mode")
    parser.add_argument("--turns", type=int, default=5, help="rounds of the modes taking turns")
    parser.add_argument("--steps", type=int, default=0, help="steps per workload (0: its own)")
    parser.add_argument("--only", default="", help="run only the workloads whose name has this")
    args = parser.parse_args()
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    if args.steps:
        env["TAPETUI_BENCH_STEPS"] = str(args.steps)
    header = (
        f"{'workload':38} {'mode':9} {'loop s':>7} {'×plain':>6} {'process s':>9} {'×plain':>6}"
    )
    print(f"{header} {'peak RSS MB':>11} {'trace MB':>8}")
    verdicts, turns = [], {}
    for name, workload in WORKLOADS.items():
        if args.only.lower() not in name.lower():
            continue
        runs = measure(workload, env, args.repeat)
        for mode, run in runs.items():
            print(_row(name, mode, run, runs["plain"]))
        fit = "detailed" in runs
        turns[name] = loop_side_by_side(workload, env, args.turns, "eager,detailed" if fit else "")
        process = runs["tapetui"].process_seconds / runs["plain"].process_seconds
        verdicts.append(
            f"{name}: tapetui report, whole process {process:.2f}x plain python running it "
            f"compiled (target <= {PROCESS_TARGET}x) {verdict(process <= PROCESS_TARGET)}"
        )
        if fit:
            verdicts.append(_fit_verdict(name, runs, turns[name]))
    print("\nthe loop again, the modes taking turns in one process:")
    print(f"{'workload':38} {'mode':9} {'loop s':>7} {'×plain':>6} {'loop cpu':>8} {'×plain':>6}")
    for name, runs in turns.items():
        plain = runs["plain"]
        for mode, run in runs.items():
            print(
                f"{name:38} {mode:9} {run.loop_seconds:7.2f} "
                f"{run.loop_seconds / plain.loop_seconds:6.2f} {run.loop_cpu_seconds:8.2f} "
                f"{run.loop_cpu_seconds / plain.loop_cpu_seconds:6.2f}"
            )
    print()
    print("\n".join(verdicts))


def _fit_verdict(name: str, runs: dict[str, Run], turns: dict[str, Run]) -> str:
    eager = turns["eager"].loop_cpu_seconds
    detail = turns["detailed"].loop_cpu_seconds / eager
    compiled = turns["detailed"].loop_cpu_seconds / turns["plain"].loop_cpu_seconds
    apart = runs["detailed"].loop_cpu_seconds / runs["eager"].loop_cpu_seconds
    dump = runs["tf dump"].loop_cpu_seconds / runs["plain"].loop_cpu_seconds
    return (
        f"{name}: every op in detail in the loop {detail:.2f}x plain running it eagerly, taking "
        f"turns ({apart:.2f}x in separate processes; {compiled:.1f}x plain compiled, where "
        f"TensorFlow's FULL_TENSOR dump took {dump:.2f}x) (target <= {FIT_DETAIL_TARGET}x) "
        f"{verdict(detail <= FIT_DETAIL_TARGET)}"
    )


if __name__ == "__main__":
    main()
