"""What both rounds of bug-report tests share: recording their scenarios once, two batches at a
time, and finding a scenario's lines and missing gradients."""

from __future__ import annotations

import subprocess
import sys
from multiprocessing.pool import ThreadPool
from pathlib import Path

from tapetui.explain.missing import MissingGradient, missing_gradients
from tapetui.trace import load
from tapetui.trace.model import Trace

ROOT = Path(__file__).resolve().parents[2]
BUGS = ROOT / "scenarios" / "bugs"


def _record_batch(paths: list[Path], out_dir: Path) -> None:
    command = [sys.executable, "-m", "tests.explain.batch_record", str(out_dir), *map(str, paths)]
    subprocess.run(command, cwd=ROOT, capture_output=True, check=True, timeout=600)


def record_bugs(names: list[str], out_dir: Path) -> dict[str, Trace]:
    """The scenarios ``names`` of ``scenarios/bugs``, recorded into ``out_dir``, by name."""
    paths = [BUGS / name for name in names]
    with ThreadPool(2) as pool:
        pool.starmap(_record_batch, [(paths[0::2], out_dir), (paths[1::2], out_dir)])
    return {path.name: load(out_dir / f"{path.name}.json") for path in paths}


def line_of(trace: Trace, text: str) -> int:
    """The line of the scenario's source holding ``text``, after its docstring."""
    lines = trace.sources[trace.scenario].splitlines()
    end = next(i for i, line in enumerate(lines[1:], 2) if '"""' in line)
    return next(i for i, line in enumerate(lines, 1) if i > end and text in line)


def missing_gradient(trace: Trace, call: int, source: str) -> MissingGradient:
    """The missing gradient of ``source`` in gradient call ``call`` (there must be one)."""
    found = [m for m in missing_gradients(trace) if m.call == call and m.source == source]
    assert found, [(m.call, m.source) for m in missing_gradients(trace)]
    return found[0]


def check_none_cause(trace: Trace, call: int, source: str, code: str, culprit: str | None) -> None:
    """The gradient of ``source`` in ``call`` is ``None`` for ``code``; with ``culprit``, the
    evidence and the sentence name the line holding that text."""
    missing = missing_gradient(trace, call, source)
    assert missing.cause == code, missing.sentence
    if culprit is not None:
        line = line_of(trace, culprit)
        assert line in missing.evidence_lines, (line, missing.evidence_lines)
        assert f"line {line}" in missing.sentence, missing.sentence
