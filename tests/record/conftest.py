"""Shared recordings: every seed scenario is recorded once per session, and run once plainly."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from tapetui.record import record
from tapetui.record.budget import Budget
from tapetui.trace.model import Trace

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = sorted(p.name for p in (ROOT / "scenarios").glob("*.py"))

PLAIN_DRIVER = """
import contextlib, io, json, runpy, sys
outputs = {}
for name in sys.argv[1:]:
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        runpy.run_path(f"scenarios/{name}", run_name="__main__")
    outputs[name] = buffer.getvalue()
print(json.dumps(outputs))
"""


@dataclass
class Run:
    """One seed scenario: its trace under the recorder and what it printed without tapetui."""

    trace: Trace
    plain_stdout: str


def plain_env() -> dict[str, str]:
    return {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "MPLBACKEND": "Agg"}


def plain_and_recorded(
    folder: Path, name: str, source: str
) -> tuple[subprocess.CompletedProcess[str], Trace]:
    """The scenario ``source``, written to ``folder / name``, run plainly (its stdout and stderr
    kept, TensorFlow's native log lines off) and recorded at the default budget."""
    path = folder / name
    path.write_text(source, encoding="utf-8")
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    plain = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, env=env,
                           stdin=subprocess.DEVNULL, timeout=300, check=True)  # fmt: skip
    return plain, record(path)


def plain_outputs(names: list[str]) -> dict[str, str]:
    """What each scenario prints when run without tapetui (one interpreter for all of them,
    since TensorFlow takes seconds to import)."""
    done = subprocess.run(
        [sys.executable, "-c", PLAIN_DRIVER, *names],
        cwd=ROOT,
        env=plain_env(),
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        check=True,
    )
    return json.loads(done.stdout)


@pytest.fixture(scope="session")
def runs() -> dict[str, Run]:
    cwd = os.getcwd()
    os.chdir(ROOT)  # scenarios are named relative to the project, as a user would type them
    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            plain = pool.submit(plain_outputs, SCENARIOS)
            traces = list(pool.map(_record_in_full_detail, SCENARIOS))
            printed = plain.result()
    finally:
        os.chdir(cwd)
    return {name: Run(trace, printed[name]) for name, trace in zip(SCENARIOS, traces, strict=True)}


def _record_in_full_detail(name: str) -> Trace:
    """Every op of every tape: the seed tests check all of them against the plain run."""
    return record(Path("scenarios") / name, budget=Budget(tapes=0, ops=0))


def line_of(trace: Trace, text: str) -> int:
    """The line number of ``text`` in the scenario's recorded source (for assertions)."""
    lines = trace.sources[trace.scenario].splitlines()
    docstring_end = next(i for i, line in enumerate(lines[1:], 2) if '"""' in line)
    return next(i for i, line in enumerate(lines, 1) if i > docstring_end and text in line)
