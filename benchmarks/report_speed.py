"""`tapetui report` on long loops whose gradients are all None, and the debugger's first explanation.

    python benchmarks/report_speed.py [--ops 100000] [--steps 3000] [--assigns 1000] [--repeat 3]
                                      [--cache DIR]

Three traces: the synthetic trace of ``synthetic_trace.py --none`` (about 100,000 forward ops, one
tape and one gradient call per 10 of them, every gradient ``None``), and the real
``workloads/loss_before_tape_3000.py`` recorded once in full detail (``--budget-tapes 0
--budget-ops 0``; every call's answer is ``outside_tape``), and the real
``workloads/assign_every_step_1000.py``, a loop that assigns its variable twice a step whose
gradients are all ``None`` (each call's search reaches the variable's whole history: it was
quadratic, 1,000 steps 34 s), both kept in ``--cache`` (a folder in the
temp dir) and recorded again only when the workload changed. For each, ``tapetui report`` and
``tapetui report --json`` run as the user runs them (a fresh process each, wall time and the
child's CPU time, the fastest of ``--repeat`` runs); the first explanation is what the
debugger's why pane asks for when it first shows a call (``Explanations`` of
``tapetui/ui/why.py``), timed in a fresh process after the trace is loaded (its CPU time, and
the wall time).

The verdicts go by CPU time: the machine is shared (2 cores for many processes; the load
average is printed), and a busy stretch stretches a single-threaded report's wall time by the
other processes' share, not by anything the report does. On an idle machine wall and CPU time
differ by the trace's reading from disk.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
WORKLOAD = HERE / "workloads" / "loss_before_tape_3000.py"
ASSIGNS = HERE / "workloads" / "assign_every_step_1000.py"

REPORT_TARGET = 10.0
"""Seconds for a whole ``tapetui report`` (text or ``--json``) on either trace."""
FIRST_TARGET = 0.5
"""Seconds for the debugger's first explanation, once the trace is loaded."""

FIRST = """
import sys, time
from tapetui.trace import load
from tapetui.ui.why import explanations_for
trace = load(sys.argv[1])
first = min(trace.gradient_calls.values(), key=lambda call: call.seq).id
start, cpu = time.perf_counter(), time.process_time()
why = explanations_for(trace)[first]
print(time.perf_counter() - start, time.process_time() - cpu)
assert why is not None and any(why.results), "the first call has no explanation"
"""


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


def synthetic(folder: Path, ops: int) -> Path:
    from benchmarks.synthetic_trace import synthetic_trace
    from tapetui.trace import save

    path = folder / f"synthetic_none_{ops}.json"
    if not path.exists():
        save(synthetic_trace(ops, none=True), str(path))
    return path


def recorded(folder: Path, steps: int, workload: Path = WORKLOAD) -> Path:
    """The workload recorded in full detail, again only when the workload changed."""
    path = folder / f"{workload.stem.rsplit('_', 1)[0]}_{steps}.json"
    if path.exists() and path.stat().st_mtime > workload.stat().st_mtime:
        return path
    command = [sys.executable, "-m", "tapetui", "record", str(workload), "-o", str(path)]
    command += ["--budget-tapes", "0", "--budget-ops", "0"]
    env = {**_env(), "TAPETUI_BENCH_STEPS": str(steps)}
    subprocess.run(command, check=True, env=env, cwd=ROOT, capture_output=True)
    return path


def _timed(command: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, check=True, env=_env(), cwd=ROOT, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall, cpu


def best(command: list[str], repeat: int) -> tuple[float, float]:
    runs = [_timed(command) for _ in range(repeat)]
    return min(r[0] for r in runs), min(r[1] for r in runs)


def first_explanation(trace: Path, repeat: int) -> tuple[float, float]:
    """Wall and CPU seconds, each the fastest of ``repeat`` fresh processes."""
    runs: list[tuple[float, float]] = []
    for _ in range(repeat):
        out = subprocess.run(
            [sys.executable, "-c", FIRST, str(trace)],
            check=True,
            env=_env(),
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        wall, cpu = out.stdout.split()
        runs.append((float(wall), float(cpu)))
    return min(r[0] for r in runs), min(r[1] for r in runs)


def _verdict(seconds: float, target: float) -> str:
    return "PASS" if seconds <= target else "FAIL"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ops", type=int, default=100_000, help="synthetic trace's forward ops")
    parser.add_argument("--steps", type=int, default=3000, help="the recorded loop's steps")
    parser.add_argument("--assigns", type=int, default=1000, help="the assigning loop's steps")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each; the fastest counts")
    default_cache = Path(tempfile.gettempdir()) / "tapetui-report-speed"
    parser.add_argument("--cache", type=Path, default=default_cache, help="where traces are kept")
    args = parser.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)
    traces = {
        f"synthetic, {args.ops:,} ops, all None": synthetic(args.cache, args.ops),
        f"recorded loop, {args.steps:,} steps, full detail": recorded(args.cache, args.steps),
        f"assigning loop, {args.assigns:,} steps, full detail": recorded(
            args.cache, args.assigns, ASSIGNS
        ),
    }
    failed = False
    print(f"{'trace':<44} {'measure':<22} {'wall s':>8} {'cpu s':>8}  target")
    for name, path in traces.items():
        size = path.stat().st_size / 1e6
        for label, extra in (("report (text)", []), ("report --json", ["--json"])):
            command = [sys.executable, "-m", "tapetui", "report", str(path), *extra]
            wall, cpu = best(command, args.repeat)
            verdict = _verdict(cpu, REPORT_TARGET)
            failed |= verdict == "FAIL"
            print(
                f"{name:<44} {label:<22} {wall:>8.2f} {cpu:>8.2f}  ≤{REPORT_TARGET:g} s {verdict}"
            )
        wall, cpu = first_explanation(path, args.repeat)
        verdict = _verdict(cpu, FIRST_TARGET)
        failed |= verdict == "FAIL"
        print(
            f"{f'  ({size:.1f} MB)':<44} {'first explanation':<22} {wall:>8.3f} {cpu:>8.3f}  "
            f"≤{FIRST_TARGET:g} s {verdict}"
        )
    print(f"load average over the last 1/5/15 minutes: {' '.join(map(str, os.getloadavg()))}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
