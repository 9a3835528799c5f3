"""``tapetui report`` and a headless screenshot of a trace whose strings hold markup, action links,
control characters and escape sequences: the text is printed as written, with every control
character visible, no raw escape byte reaches the terminal, and ``--json`` keeps it exact."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest

from tapetui.trace import Trace, save
from tapetui.trace.printable import json_safe, printable, printable_line

from .command import tapetui
from .ui.hostile import (
    CALL_ERROR,
    ERROR_MESSAGE,
    ERROR_TYPE,
    FILE,
    NAMES,
    STDERR,
    STDOUT,
    every_string_hostile,
    hostile_trace,
)

RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@pytest.fixture
def trace_file(tmp_path: Path) -> Path:
    path = tmp_path / "hostile.json"
    save(hostile_trace(), path)
    return path


def test_report_prints_hostile_text_literally_without_a_raw_control(trace_file: Path) -> None:
    result = tapetui("report", str(trace_file))
    assert result.returncode == 0, result.stderr
    assert RAW_CONTROL.search(result.stdout) is None
    lines = result.stdout.splitlines()
    assert lines[0] == f"scenario {printable(FILE)} · raised"
    assert f"  ✗ raised {CALL_ERROR}: {printable(ERROR_MESSAGE)}" in lines
    assert f"error: {ERROR_TYPE} at line 10: {printable(ERROR_MESSAGE)}" in lines
    assert any(
        line.startswith(f"tape 1 · line 4 · non-persistent · watched: {printable(NAMES['x'])}")
        for line in lines
    )


def test_report_json_keeps_every_string_exact(trace_file: Path) -> None:
    result = tapetui("report", str(trace_file), "--json")
    assert result.returncode == 0, result.stderr
    assert RAW_CONTROL.search(result.stdout) is None  # C0 escaped by JSON, DEL and C1 by tapetui
    report = json.loads(result.stdout)
    assert report["scenario"] == FILE
    assert report["error"]["type"] == ERROR_TYPE and report["error"]["message"] == ERROR_MESSAGE
    assert report["stdout"] == STDOUT and report["stderr"] == STDERR
    assert report["gradient_calls"][1]["error"]["type"] == CALL_ERROR


def test_the_ending_sentence_on_stderr_has_no_raw_control(tmp_path: Path) -> None:
    trace = hostile_trace()
    trace.status = "died"
    assert trace.error is not None
    path = tmp_path / "died.json"
    save(trace, path)
    result = tapetui("report", str(path))
    assert result.returncode == 0
    assert RAW_CONTROL.search(result.stderr) is None
    assert printable(ERROR_MESSAGE) in result.stderr


def test_json_safe_is_the_same_json() -> None:
    text = json.dumps({"s": "a\x7fb\x9bc\x85"}, ensure_ascii=False)
    assert RAW_CONTROL.search(json_safe(text)) is None
    assert json.loads(json_safe(text)) == json.loads(text)


def _svg_text(svg: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", svg)).replace("\xa0", " ")


@pytest.mark.parametrize("every", [False, True], ids=["hostile", "every string"])
def test_a_headless_screenshot_shows_hostile_text_and_sends_no_control(
    every: bool, tmp_path: Path
) -> None:
    trace: Trace = every_string_hostile(hostile_trace()) if every else hostile_trace()
    path = tmp_path / "hostile.json"
    save(trace, path)
    out = tmp_path / "shot.svg"
    result = tapetui(str(path), "--screenshot", str(out), "--press", "g,o", "--size", "160x40")
    assert result.returncode == 0, result.stderr
    svg = out.read_text(encoding="utf-8")
    assert RAW_CONTROL.search(svg) is None
    if not every:
        text = _svg_text(svg)
        assert f"{printable_line(FILE)} raised {ERROR_TYPE}" in text
        assert printable_line(STDOUT.splitlines()[0]) in text
