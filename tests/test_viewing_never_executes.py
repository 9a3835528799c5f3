"""Opening a trace only displays it: code hidden in names, values or source text never runs."""

from __future__ import annotations

import json
from pathlib import Path

from tapetui.cli import main
from tapetui.trace import save
from tapetui.trace.jsonio import trace_from_dict, trace_to_dict

from .trace.test_jsonio import small_trace


def booby_trapped_trace(tmp_path: Path) -> tuple[Path, Path]:
    marker = tmp_path / "executed"
    payload = f"__import__('pathlib').Path({str(marker)!r}).touch()"
    trace = small_trace()
    trace.scenario = payload
    trace.sources = {"persistent.py": payload + "\n", payload: payload}
    trace.tensors[3].name = payload
    trace.tensors[3].data = payload
    trace.variables[1].pyname = "{" + payload + "}"
    path = tmp_path / "trap.json"
    save(trace_from_dict(json.loads(json.dumps(trace_to_dict(trace)))), path)
    return path, marker


def test_report_of_a_crafted_trace_shows_the_text_and_runs_nothing(
    tmp_path: Path, capsys: object
) -> None:
    path, marker = booby_trapped_trace(tmp_path)
    assert main(["report", str(path), "--json"]) == 0
    out = capsys.readouterr().out  # type: ignore[attr-defined]
    assert "__import__('pathlib')" in out
    assert not marker.exists()


def test_the_debugger_on_a_crafted_trace_runs_nothing(tmp_path: Path) -> None:
    path, marker = booby_trapped_trace(tmp_path)
    shot = tmp_path / "shot.svg"
    assert main([str(path), "--screenshot", str(shot), "--press", "n,n,w,o"]) == 0
    assert shot.exists()
    assert not marker.exists()
