"""Numbers too large for a trace: ``1e400``, a 5,000-digit integer, JSON's ``Infinity``. In a value
they read as infinite, the trace's own ``inf``; where a whole number belongs (an id, a line, the
seed) the trace is refused in one sentence naming it. ``report`` and the debugger agree."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tapetui.report import render_json, render_text
from tapetui.trace import TraceFormatError, ValueSummary, load, save
from tapetui.trace.jsonio import dumps
from tapetui.ui.app import TapeTuiApp
from tapetui.ui.screens.debugger import DebuggerScreen

from .command import one_sentence, tapetui
from .ui.handmade import square_twice

TRACES = Path(__file__).resolve().parent / "ui" / "traces"
HUGE = {"1e400": "1e400", "-1e400": "-1e400", "5000 digits": "9" * 5000, "Infinity": "Infinity"}
"""Literals that no 64-bit number holds."""


def _with(data: Any, path: tuple[Any, ...], literal: str) -> str:
    """``data`` as JSON text with the number at ``path`` written as ``literal``."""
    copy = json.loads(json.dumps(data))
    node = copy
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = "__HUGE__"
    return json.dumps(copy).replace('"__HUGE__"', literal)


def _numbers(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(value, bool):
        return
    if isinstance(value, int | float):
        yield path
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _numbers(item, (*path, i))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _numbers(item, (*path, key))


def strict_json(text: str) -> Any:
    """JSON as the standard has it: no ``Infinity`` or ``NaN``."""

    def refuse(constant: str) -> None:
        raise AssertionError(f"{constant} is not JSON")

    return json.loads(text, parse_constant=refuse)


def _gradient_is(tmp_path: Path, literal: str) -> Path:
    """The persistent trace with the value of dz/dx (8.0) written as ``literal``."""
    data = json.loads((TRACES / "persistent.json").read_text(encoding="utf-8"))
    values = data["tensors"]["columns"][data["tensors"]["fields"].index("data")]
    (where,) = [i for i, value in enumerate(values) if value == 8.0]
    path = tmp_path / "huge.json"
    path.write_text(_with(data, ("tensors", "columns", 3, where), literal), encoding="utf-8")
    return path


@pytest.mark.parametrize("name", sorted(HUGE))
def test_every_number_of_a_trace_made_huge_is_read_as_inf_or_refused(
    name: str, tmp_path: Path
) -> None:
    data = json.loads((TRACES / "basic.json").read_text(encoding="utf-8"))
    path = tmp_path / "t.json"
    read = refused = 0
    for where in _numbers(data):
        path.write_text(_with(data, where, HUGE[name]), encoding="utf-8")
        try:
            trace = load(path)
        except TraceFormatError as exc:
            assert str(exc).startswith(f"{path} "), where
            refused += 1
            continue
        read += 1
        assert '"inf"' in dumps(trace) or '"-inf"' in dumps(trace), where  # the trace's own inf
        render_text(trace)
        strict_json(render_json(trace))
    assert read and refused


@pytest.mark.parametrize("name", sorted(HUGE))
def test_report_reads_a_huge_value_as_inf(name: str, tmp_path: Path) -> None:
    result = tapetui("report", str(_gradient_is(tmp_path, HUGE[name])), "--json")
    assert result.returncode == 0, result.stderr
    report = strict_json(result.stdout)
    sign = "-" if name.startswith("-") else ""
    assert [r["value"] for r in report["gradient_calls"][0]["results"]] == [f"{sign}inf"]
    text = tapetui("report", str(_gradient_is(tmp_path, HUGE[name])))
    assert f"dz/dx = {sign}inf" in text.stdout
    assert "warning: 1 inf in this gradient" in text.stdout


def test_a_summary_past_float64_is_unknown_not_infinite(tmp_path: Path) -> None:
    trace = square_twice()
    dz_dx = trace.tensors[26]
    dz_dx.data, dz_dx.summary = None, ValueSummary(100, [1.0], 1.0, 2.0, mean=1.2345, norm=7.75)
    path = tmp_path / "t.json"
    save(trace, path)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("1.2345", "1e400").replace("7.75", "Infinity"), encoding="utf-8")
    summary = load(path).tensors[26].summary
    assert summary is not None and (summary.mean, summary.norm, summary.max) == (None, None, 2.0)
    strict_json(render_json(load(path)))


@pytest.mark.parametrize("name", sorted(HUGE))
@pytest.mark.parametrize("field", ["seed", "exit_code", "a tape's line"])
def test_a_huge_whole_number_is_refused_naming_the_trace(
    field: str, name: str, tmp_path: Path
) -> None:
    data = json.loads((TRACES / "basic.json").read_text(encoding="utf-8"))
    where = {
        "seed": ("seed",),
        "exit_code": ("exit_code",),
        "a tape's line": ("tapes", "columns", data["tapes"]["fields"].index("line"), 0),
    }[field]
    path = tmp_path / "t.json"
    path.write_text(_with(data, where, HUGE[name]), encoding="utf-8")
    for command in (["report", str(path)], [str(path)]):
        result = tapetui(*command)
        assert result.returncode == 2
        assert one_sentence(result.stderr).startswith(f"tapetui: {path} is damaged: ")


@pytest.mark.parametrize("name", sorted(HUGE))
def test_the_debugger_shows_a_huge_value_as_inf(name: str, tmp_path: Path) -> None:
    trace = load(_gradient_is(tmp_path, HUGE[name]))

    async def flow() -> None:
        app = TapeTuiApp(trace=trace)
        async with app.run_test(size=(120, 40)) as pilot:
            screen = app.screen
            assert isinstance(screen, DebuggerScreen)
            await pilot.press("g")
            sign = "-" if name.startswith("-") else ""
            assert f"dz/dx = {sign}inf" in screen.tapes_pane.plain
            for key in ("n", "b", "w", "v", "escape", "o"):
                await pilot.press(key)
                await pilot.pause()
                assert app.is_running

    asyncio.run(flow())
