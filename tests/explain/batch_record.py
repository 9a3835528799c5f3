"""Record several scenarios in one process (one TensorFlow import) and save their traces as JSON.

Usage: ``python -m tests.explain.batch_record OUT_DIR SCENARIO...``; the session fixture of the
explainer's integration tests runs two of these side by side.
"""

from __future__ import annotations

import sys
from pathlib import Path

from tapetui.record import run_scenario
from tapetui.trace import save


def main(out_dir: str, *scenarios: str) -> None:
    for scenario in scenarios:
        trace = run_scenario(scenario)
        save(trace, Path(out_dir) / f"{Path(scenario).name}.json")


if __name__ == "__main__":
    main(*sys.argv[1:])
