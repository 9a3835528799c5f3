"""Recording overhead, side by side in one run: plain eager, tapetui, TensorFlow's debug dump.

    python benchmarks/recording_overhead.py [--epochs 2000] [--steps 600] [--repeat 1] [--turns 10]

Each mode runs the same workload in a fresh process; the loop time is measured inside the
workload's own loop, step by step, so import and start-up costs are reported separately as
whole-process time. ``loop cpu`` is the loop's main-thread CPU time, steadier than wall time on
a busy machine. With ``--repeat N`` every mode runs N times, interleaved; a loop's time is the
sum over its steps of each step's fastest run, the whole process the fastest run.

The loop is then measured again with plain and tapetui's recorder, at the default budget and in
full detail, taking turns in one process (``_loop_side_by_side.py``), ``--turns`` rounds in a new
order each: separate processes on a shared machine differ in speed by 20-30 % from one to the
next, more than the recorder costs. The loop's verdicts use those turns; plain runs twice in
them, and ``plain 2nd`` against ``plain`` shows how much of a ratio is noise.

Memory in full detail: the recording child's peak RSS over plain's, and the trace's size, each
per 1,000 ops recorded (the ops counted in the trace).

Modes: ``plain`` (``python workload.py``), ``tapetui`` (``tapetui report --json``, the default
budget: the first tapes in detail, the rest summarised; whole process = parent + child), ``detailed``
(the recording child alone with an unlimited budget: every op of every step in detail), and
``tf dump`` (TensorFlow's own FULL_TENSOR debug dump).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORKLOADS = {
    "linear regression (2,000 epochs)": HERE / "workloads" / "linear_regression_2000.py",
    "256-wide MLP (600 steps)": HERE / "workloads" / "mlp_600.py",
}


@dataclass
class Run:
    step_seconds: list[float]
    step_cpu_seconds: list[float]
    process_seconds: float
    peak_rss_mb: float
    trace_mb: float | None = None
    ops: int = 0

    @property
    def loop_seconds(self) -> float:
        return sum(self.step_seconds)

    @property
    def loop_cpu_seconds(self) -> float:
        return sum(self.step_cpu_seconds)

    def best(self, other: Run) -> Run:
        """Each measure's smaller value, each step's on its own (sizes are the same from run
        to run): the machine's noise comes in bursts, and a burst rarely hits one step in
        every run."""
        return Run(
            list(map(min, self.step_seconds, other.step_seconds)),
            list(map(min, self.step_cpu_seconds, other.step_cpu_seconds)),
            min(self.process_seconds, other.process_seconds),
            min(self.peak_rss_mb, other.peak_rss_mb),
            self.trace_mb,
            self.ops,
        )


def _spawn(argv: list[str], env: dict[str, str]) -> tuple[str, float, float]:
    """Run argv; return its stdout, wall time and peak RSS (MB) of it and its children."""
    start = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out:
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.DEVNULL, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        elapsed = time.perf_counter() - start
        out.seek(0)
        text = out.read()
    if proc.returncode not in (0,):
        raise SystemExit(f"{' '.join(argv)} failed with exit code {proc.returncode}")
    return text, elapsed, usage.ru_maxrss / 1024


def _printed(text: str, name: str) -> list[float]:
    for line in text.splitlines():
        if line.startswith(f"{name}="):
            return [float(x) for x in line.split("=", 1)[1].split(",")]
    raise SystemExit(f"the workload did not print {name}")


def _run(printed: str, wall: float, rss: float, trace_mb: float | None = None) -> Run:
    steps, cpu = _printed(printed, "step_seconds"), _printed(printed, "step_cpu_seconds")
    return Run(steps, cpu, wall, rss, trace_mb)


def run_plain(workload: Path, env: dict[str, str]) -> Run:
    return _run(*_spawn([sys.executable, str(workload)], env))


def run_dump(workload: Path, env: dict[str, str]) -> Run:
    return _run(*_spawn([sys.executable, str(HERE / "_dump_runner.py"), str(workload)], env))


def run_tapetui(workload: Path, env: dict[str, str]) -> Run:
    """``tapetui report --json``: record, explain every gradient call, print the report; the
    trace size is that of ``tapetui record`` on the same workload (run separately)."""
    argv = [sys.executable, "-m", "tapetui", "report", "--json", str(workload)]
    text, wall, rss = _spawn(argv, env)
    with tempfile.TemporaryDirectory() as tmp:
        trace_path = Path(tmp) / "trace.json"
        _spawn(
            [sys.executable, "-m", "tapetui", "record", str(workload), "-o", str(trace_path)], env
        )
        size = trace_path.stat().st_size / 1e6
    return _run(json.loads(text)["stdout"], wall, rss, size)


def run_detailed(workload: Path, env: dict[str, str]) -> Run:
    """The recording child alone, every op in detail (``--budget-tapes 0 --budget-ops 0``)."""
    with tempfile.TemporaryDirectory() as tmp:
        stream = Path(tmp) / "trace.jsonl"
        argv = [sys.executable, "-m", "tapetui.record", str(workload), "--stream", str(stream)]
        _, wall, rss = _spawn([*argv, "--budget-tapes=0", "--budget-ops=0"], env)
        size = stream.stat().st_size / 1e6
        records = [json.loads(line) for line in stream.read_text().splitlines()]
    printed = "".join(
        r["event"]["text"]
        for r in records
        if r.get("event", {}).get("kind") == "output" and r["event"]["stream"] == "stdout"
    )
    run = _run(printed, wall, rss, size)
    run.ops = sum(1 for r in records if r.get("event", {}).get("kind") == "op")
    return run


MODES = {"plain": run_plain, "tapetui": run_tapetui, "detailed": run_detailed, "tf dump": run_dump}


def loop_side_by_side(
    workload: Path, env: dict[str, str], rounds: int, extra: str = ""
) -> dict[str, Run]:
    """Plain and tapetui's recorder taking turns in one process (``_loop_side_by_side.py``;
    ``extra``: its extra modes, e.g. ``detailed``); each mode's loop as the sum of each step's
    fastest run."""
    argv = [sys.executable, str(HERE / "_loop_side_by_side.py"), str(workload), str(rounds), extra]
    text, wall, rss = _spawn(argv, env)
    runs: dict[str, Run] = {}
    for mode, rounds in json.loads(text).items():
        for printed in rounds:
            run = Run(printed["step_seconds"], printed["step_cpu_seconds"], wall, rss)
            runs[mode] = runs[mode].best(run) if mode in runs else run
    return runs


def measure(workload: Path, env: dict[str, str], repeat: int) -> dict[str, Run]:
    runs: dict[str, Run] = {}
    for _ in range(repeat):
        for mode, run in MODES.items():
            result = run(workload, env)
            runs[mode] = runs[mode].best(result) if mode in runs else result
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--epochs", type=int, default=2000)
    parser.add_argument("--steps", type=int, default=600)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--turns", type=int, default=10, help="rounds of the modes taking turns")
    args = parser.parse_args()
    env = {
        **os.environ,
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "TAPETUI_BENCH_EPOCHS": str(args.epochs),
        "TAPETUI_BENCH_STEPS": str(args.steps),
    }
    print(
        f"{'workload':34} {'mode':9} {'loop s':>7} {'×plain':>6} {'loop cpu':>8} {'×plain':>6} "
        f"{'process s':>9} {'×plain':>6} {'peak RSS MB':>11} {'trace MB':>8}"
    )
    verdicts: list[list[str]] = []
    turns: dict[str, dict[str, Run]] = {}
    for name, workload in WORKLOADS.items():
        runs = measure(workload, env, args.repeat)
        plain = runs["plain"]
        for mode, run in runs.items():
            trace = f"{run.trace_mb:8.1f}" if run.trace_mb is not None else f"{'-':>8}"
            print(
                f"{name:34} {mode:9} {run.loop_seconds:7.2f} "
                f"{run.loop_seconds / plain.loop_seconds:6.2f} {run.loop_cpu_seconds:8.2f} "
                f"{run.loop_cpu_seconds / plain.loop_cpu_seconds:6.2f} "
                f"{run.process_seconds:9.2f} {run.process_seconds / plain.process_seconds:6.2f} "
                f"{run.peak_rss_mb:11.0f} {trace}"
            )
        turns[name] = loop_side_by_side(workload, env, args.turns, "detailed")
        verdicts.append(_verdicts(name, runs, turns[name]))
    print("\nthe loop again, the modes taking turns in one process:")
    print(f"{'workload':34} {'mode':9} {'loop s':>7} {'×plain':>6} {'loop cpu':>8} {'×plain':>6}")
    for name, runs in turns.items():
        plain = runs["plain"]
        for mode, run in runs.items():
            print(
                f"{name:34} {mode:9} {run.loop_seconds:7.2f} "
                f"{run.loop_seconds / plain.loop_seconds:6.2f} {run.loop_cpu_seconds:8.2f} "
                f"{run.loop_cpu_seconds / plain.loop_cpu_seconds:6.2f}"
            )
    print()
    for lines in verdicts:
        print("\n".join(lines))


LOOP_TARGET = 1.10
"""Summarised steps (the default budget) in the loop, against plain."""
DETAIL_TARGET = 2.0
"""Every op in detail (``--budget-tapes 0 --budget-ops 0``) in the loop, against plain."""
PROCESS_TARGET = 1.5
RSS_PER_1000_OPS_MB = 4.0
"""Full detail: the recording child's peak RSS over plain's, per 1,000 ops recorded."""
TRACE_PER_1000_OPS_MB = 2.0
"""Full detail: the trace's size per 1,000 ops recorded."""


def verdict(passed: bool) -> str:
    return "PASS" if passed else "FAIL"


def _verdicts(name: str, runs: dict[str, Run], turns: dict[str, Run]) -> list[str]:
    plain, ours, full = runs["plain"], runs["tapetui"], runs["detailed"]
    base = turns["plain"].loop_cpu_seconds
    loop = turns["tapetui"].loop_cpu_seconds / base
    detail = turns["detailed"].loop_cpu_seconds / base
    detail_wall = turns["detailed"].loop_seconds / turns["plain"].loop_seconds
    noise = turns["plain 2nd"].loop_cpu_seconds / base
    apart = ours.loop_cpu_seconds / plain.loop_cpu_seconds
    full_apart = full.loop_cpu_seconds / plain.loop_cpu_seconds
    dump = runs["tf dump"].loop_cpu_seconds / plain.loop_cpu_seconds
    process = ours.process_seconds / plain.process_seconds
    thousands = max(full.ops, 1) / 1000
    rss = (full.peak_rss_mb - plain.peak_rss_mb) / thousands
    trace = (full.trace_mb or 0.0) / thousands
    return [
        f"{name}: summarised steps in the loop {loop:.2f}x plain, taking turns in one process "
        f"({apart:.2f}x in separate processes; plain against itself {noise:.2f}x) "
        f"(target <= {LOOP_TARGET}x) {verdict(loop <= LOOP_TARGET)}",
        f"{name}: every op in detail in the loop {detail:.2f}x plain (wall {detail_wall:.2f}x), "
        f"taking turns ({full_apart:.2f}x in separate processes, where TensorFlow's FULL_TENSOR "
        f"dump took {dump:.2f}x) (target <= {DETAIL_TARGET}x) {verdict(detail <= DETAIL_TARGET)}",
        f"{name}: tapetui report, whole process {process:.2f}x plain python "
        f"(target <= {PROCESS_TARGET}x) {verdict(process <= PROCESS_TARGET)}",
        f"{name}: every op in detail, {full.ops} ops: RSS {rss:.2f} MB over plain per 1,000 ops "
        f"(target <= {RSS_PER_1000_OPS_MB}) {verdict(rss <= RSS_PER_1000_OPS_MB)}; trace "
        f"{trace:.2f} MB per 1,000 ops (target <= {TRACE_PER_1000_OPS_MB}) "
        f"{verdict(trace <= TRACE_PER_1000_OPS_MB)}",
    ]


if __name__ == "__main__":
    main()
