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
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from recording_overhead import PROCESS_TARGET, Run, loop_side_by_side, run_plain, run_tapetui

HERE = Path(__file__).resolve().parent
WORKLOADS = {
    "Keras fit, MLP (2 epochs x 128 steps)": HERE / "workloads" / "keras_fit_mlp_256.py",
    "@tf.function loop, MLP (300 steps)": HERE / "workloads" / "tf_function_mlp_300.py",
}
MODES = {"plain": run_plain, "tapetui": run_tapetui}


def measure(workload: Path, env: dict[str, str], repeat: int) -> dict[str, Run]:
    runs: dict[str, Run] = {}
    for _ in range(repeat):
        for mode, run in MODES.items():
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
        turns[name] = loop_side_by_side(workload, env, args.turns)
        process = runs["tapetui"].process_seconds / runs["plain"].process_seconds
        verdict = "PASS" if process <= PROCESS_TARGET else "FAIL"
        verdicts.append(
            f"{name}: tapetui report, whole process {process:.2f}x plain python running it "
            f"compiled (target <= {PROCESS_TARGET}x) {verdict}"
        )
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


if __name__ == "__main__":
    main()
