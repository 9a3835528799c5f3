"""``report --json`` is written indented, a value and each backward step on one line, and reads
back as the same data ``json.dumps`` with an indent wrote."""

from __future__ import annotations

import json
import math

from benchmarks.synthetic_trace import synthetic_trace
from tapetui.report import build_report, render_json
from tapetui.report.jsonout import dumps, spelled


def _as_before(report: dict[str, object]) -> str:
    return json.dumps(spelled(report), indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def test_values_and_backward_steps_take_one_line_each() -> None:
    report = {
        "name": "a\u009bb ✓",
        "empty": {},
        "none": [],
        "calls": [
            {
                "value": [[1.0, math.nan], [math.inf, -math.inf]],
                "pair": (1, 2),
                "backward_steps": [{"op": "Mul", "local": [2.0, 3.0]}, {"op": "Sum", "x": None}],
            }
        ],
    }
    text = dumps(report)
    assert json.loads(text) == json.loads(_as_before(report))
    lines = text.splitlines()
    assert '      "value": [[1.0, "nan"], ["inf", "-inf"]],' in lines
    assert '        {"op": "Mul", "local": [2.0, 3.0]},' in lines
    assert '        {"op": "Sum", "x": null}' in lines
    assert '  "empty": {},' in lines and '  "none": [],' in lines
    assert text.endswith("}\n") and "\u009b" in text  # DEL and C1 are escaped by the CLI


def test_a_report_reads_back_as_the_indented_dump_did() -> None:
    trace = synthetic_trace(200)
    text = render_json(trace)
    assert json.loads(text) == json.loads(_as_before(build_report(synthetic_trace(200))))
    calls = json.loads(text)["gradient_calls"]
    assert len(calls) == 20 and all(len(call["backward_steps"]) == 9 for call in calls)
    assert text.count('{"op": ') == 20 * 9  # one line per backward step
