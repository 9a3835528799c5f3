"""Regenerate the UI tests' trace files by recording scenarios with tapetui itself.

Run from anywhere: ``python tests/ui/make_traces.py``. The traces are JSON, committed, and loaded
by the pilot and snapshot tests so those run fast and without TensorFlow.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TRACES = Path(__file__).resolve().parent / "traces"

SCENARIOS: dict[str, str] = {
    "basic": "scenarios/basic.py",
    "persistent": "scenarios/persistent.py",
    "none_cases": "scenarios/none_cases.py",
    "linear_regression": "scenarios/linear_regression.py",
    "stop_recording": "scenarios/none/stop_recording.py",
    "frozen_variable": "scenarios/none/frozen_variable.py",
    "unbuilt_layer_watch": "scenarios/none/unbuilt_layer_watch.py",
    "raises": "tests/ui/scenarios/raises.py",
    "no_tape": "tests/ui/scenarios/no_tape.py",
    "notebook_helper": "tests/ui/scenarios/helper_notebook/uses_helper.ipynb",
}
"""Trace name → scenario, relative to the repository root (so no absolute path is stored)."""


def main() -> int:
    sys.path.insert(0, str(ROOT))
    from tapetui.record.budget import Budget
    from tapetui.record.process import record
    from tapetui.trace import save

    os.chdir(ROOT)
    TRACES.mkdir(exist_ok=True)
    for name, scenario in SCENARIOS.items():
        trace = record(scenario, seed=0, timeout=300, budget=Budget(tapes=0, ops=0))
        save(trace, TRACES / f"{name}.json")
        print(f"{name}: {trace.status}, {len(trace.events)} events, {len(trace.tapes)} tapes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
