"""Every way a scenario can end with ``SystemExit`` gives a readable trace and Python's exit code.

Each case runs the scenario plainly and under ``tapetui record``: the exit status, and what was
printed to stderr, must be the same; the trace loads and ``report`` says the same exit code.
"""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tapetui.trace import Trace, load
from tapetui.trace.events import OutputEvent
from tapetui.ui.status import status_text
from tests.command import tapetui, write

EXITS = {
    "none": ("sys.exit()", 0, ""),
    "explicit_none": ("sys.exit(None)", 0, ""),
    "true": ("sys.exit(True)", 1, ""),
    "false": ("sys.exit(False)", 0, ""),
    "int": ("sys.exit(3)", 3, ""),
    "int_wraps": ("sys.exit(256)", 0, ""),
    "negative": ("sys.exit(-1)", 255, ""),
    "huge": ("sys.exit(2**70)", 255, ""),
    "message": ("sys.exit('bye now')", 1, "bye now"),
    "float": ("sys.exit(3.5)", 1, "3.5"),
    "several_args": ("raise SystemExit(4, 'and more')", 1, "(4, 'and more')"),
    "no_args": ("raise SystemExit", 0, ""),
    "unittest_main": (
        "import unittest\nclass T(unittest.TestCase):\n    def test_fails(self):\n"
        "        self.assertEqual(1, 2)\nunittest.main()",
        1,
        "FAILED (failures=1)",
    ),
}

BODY = "import sys\nimport tensorflow as tf\nprint(float(tf.constant(2.0) * 3))\n{end}\n"


def _plain(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(path)],
        capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
    )  # fmt: skip


def _printed(trace: Trace, stream: str) -> str:
    return "".join(
        e.text for e in trace.events if isinstance(e, OutputEvent) and e.stream == stream
    )


@pytest.fixture(scope="module")
def endings(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple]:
    """Every case recorded (and run plainly) once, two at a time."""
    tmp = tmp_path_factory.mktemp("exits")

    def run(case: str) -> tuple:
        scenario = write(tmp, f"{case}.py", BODY.format(end=EXITS[case][0]))
        out = tmp / f"{case}.json"
        recorded = tapetui("record", str(scenario), "-o", str(out), timeout=180)
        return recorded, out, _plain(scenario)

    with ThreadPoolExecutor(2) as pool:
        return dict(zip(EXITS, pool.map(run, EXITS), strict=True))


@pytest.mark.parametrize("case", list(EXITS))
def test_record_exits_with_the_code_python_exits_with(endings: dict, case: str) -> None:
    recorded, _, plain = endings[case]
    code = EXITS[case][1]
    assert plain.returncode == code
    assert recorded.returncode == code, recorded.stderr


@pytest.mark.parametrize("case", list(EXITS))
def test_the_trace_loads_with_the_exit_code(endings: dict, case: str) -> None:
    _, out, _ = endings[case]
    trace = load(out)
    assert trace.status == "exited"
    assert trace.exit_code == EXITS[case][1]
    assert type(trace.exit_code) is int
    assert _printed(trace, "stdout") == "6.0\n"


@pytest.mark.parametrize("case", list(EXITS))
def test_what_python_prints_for_the_exit_is_kept_in_the_trace(endings: dict, case: str) -> None:
    _, out, plain = endings[case]
    said = EXITS[case][2]
    assert said in plain.stderr
    if said:
        assert said in _printed(load(out), "stderr")


@pytest.mark.parametrize("case", ["true", "false", "message", "several_args"])
def test_report_and_status_line_say_the_exit_code(endings: dict, case: str) -> None:
    _, out, _ = endings[case]
    code = EXITS[case][1]
    shown = tapetui("report", str(out))
    assert shown.returncode == 0
    status, _ = status_text(load(out))
    if code:
        assert f"exited with code {code} (SystemExit)" in shown.stdout + shown.stderr
        assert f"exited with code {code} (SystemExit)" in status
    else:
        assert "exited with code" not in shown.stdout + shown.stderr
        assert "exited" not in status
