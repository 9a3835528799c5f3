"""Recording overhead, side by side in one run: plain eager, tapetui, TensorFlow's debug dump.

    python benchmarks/recording_overhead.py [--epochs 2000] [--steps 600]

Each mode runs the same workload in a fresh process; the loop time is measured inside the
workload's own loop, so import and start-up costs are reported separately as whole-process time.
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
    loop_seconds: float
    process_seconds: float
    peak_rss_mb: float
    trace_mb: float | None = None


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


def _loop_seconds(text: str) -> float:
    for line in text.splitlines():
        if line.startswith("loop_seconds="):
            return float(line.split("=", 1)[1])
    raise SystemExit("the workload did not print its loop time")


def run_plain(workload: Path, env: dict[str, str]) -> Run:
    text, wall, rss = _spawn([sys.executable, str(workload)], env)
    return Run(_loop_seconds(text), wall, rss)


def run_dump(workload: Path, env: dict[str, str]) -> Run:
    text, wall, rss = _spawn([sys.executable, str(HERE / "_dump_runner.py"), str(workload)], env)
    return Run(_loop_seconds(text), wall, rss)


def run_tapetui(workload: Path, env: dict[str, str]) -> Run:
    with tempfile.TemporaryDirectory() as tmp:
        trace_path = Path(tmp) / "trace.json"
        argv = [sys.executable, "-m", "tapetui", "record", str(workload), "-o", str(trace_path)]
        _, wall, rss = _spawn(argv, env)
        size = trace_path.stat().st_size / 1e6
        events = json.loads(trace_path.read_text())["events"]
    printed = "".join(
        e["text"] for e in events if e["kind"] == "output" and e["stream"] == "stdout"
    )
    return Run(_loop_seconds(printed), wall, rss, size)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--epochs", type=int, default=2000)
    parser.add_argument("--steps", type=int, default=600)
    args = parser.parse_args()
    env = {
        **os.environ,
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "TAPETUI_BENCH_EPOCHS": str(args.epochs),
        "TAPETUI_BENCH_STEPS": str(args.steps),
    }
    print(
        f"{'workload':34} {'mode':9} {'loop s':>8} {'×plain':>7} {'process s':>10} "
        f"{'×plain':>7} {'peak RSS MB':>12} {'trace MB':>9}"
    )
    for name, workload in WORKLOADS.items():
        plain = run_plain(workload, env)
        for mode, run in (
            ("plain", plain),
            ("tapetui", run_tapetui(workload, env)),
            ("tf dump", run_dump(workload, env)),
        ):
            trace = f"{run.trace_mb:9.1f}" if run.trace_mb is not None else f"{'-':>9}"
            print(
                f"{name:34} {mode:9} {run.loop_seconds:8.2f} "
                f"{run.loop_seconds / plain.loop_seconds:7.2f} {run.process_seconds:10.2f} "
                f"{run.process_seconds / plain.process_seconds:7.2f} {run.peak_rss_mb:12.0f} "
                f"{trace}"
            )


if __name__ == "__main__":
    main()
