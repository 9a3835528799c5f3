"""``--watch``: saving the scenario records it again for real, the cursor stays on the same line's
step, and the status line says what changed in the gradients."""

from __future__ import annotations

import asyncio
import copy
from pathlib import Path

import pytest

from tapetui.cli import main
from tapetui.trace import load
from tapetui.ui.app import TapeTuiApp
from tapetui.ui.rerecord import Place, changes_sentence, find_place, place_of
from tapetui.ui.scenarios import discover
from tapetui.ui.screens.debugger import DebuggerScreen
from tapetui.ui.steps import FORWARD, GRADIENT, build_steps
from tapetui.ui.watch import SaveWatch, watched_files

TRACES = Path(__file__).parent / "traces"
RECORDING_TIMEOUT = 240.0
"""Seconds a recording may take (TensorFlow imports in the child)."""

BEFORE_THE_TAPE = """\
import tensorflow as tf

x = tf.Variable(4.0)
z = x * x
with tf.GradientTape() as tape:
    w = x + 1.0
dz_dx = tape.gradient(z, x)
print(dz_dx)
"""

INSIDE_THE_TAPE = """\
import tensorflow as tf

x = tf.Variable(4.0)
with tf.GradientTape() as tape:
    z = x * x
    w = (x + 1.0) * 2.0
dz_dx = tape.gradient(z, x)
print(dz_dx)
"""
"""The fix: ``z`` inside the tape (and one op more on line 6, so the steps after it move)."""

QUICK = SaveWatch(debounce_ms=300, quiet_ms=50)


async def _until(pilot: object, done: object, what: str) -> None:
    waited = 0.0
    while not done():  # type: ignore[operator]
        assert waited < RECORDING_TIMEOUT, f"waited {RECORDING_TIMEOUT} s for {what}"
        await pilot.pause(0.05)  # type: ignore[attr-defined]
        waited += 0.05


def _debug(scenario: Path, first: str, then: str, at_line: int, kind: str) -> tuple[str, int, str]:
    """Open ``scenario`` (holding ``first``) with ``--watch``, put the cursor on the first
    ``kind`` step of ``at_line``, save ``then`` into it; the status line, the cursor's line
    and step kind once it is recorded again."""
    scenario.write_text(first, encoding="utf-8")

    async def flow() -> tuple[str, int, str]:
        app = TapeTuiApp(scenarios=discover([str(scenario)]), warm=False)
        app.rerecord_on_save = QUICK
        async with app.run_test(size=(120, 40)) as pilot:
            screen = app.screen
            assert isinstance(screen, DebuggerScreen)
            await _until(pilot, lambda: screen.ready and screen._watching, "the first recording")
            first_trace, stepper = screen.trace, screen.stepper
            assert stepper is not None
            step = next(s for s in stepper.steps if s.line == at_line and s.kind == kind)
            stepper.go(step.index)
            screen.show_step()
            await pilot.pause(0.5)  # the watcher is up
            scenario.write_text(then, encoding="utf-8")
            await _until(
                pilot, lambda: screen.ready and screen.trace is not first_trace, "the re-record"
            )
            current = screen.stepper.current if screen.stepper else None
            assert current is not None and current.line is not None
            assert current.index != step.index  # the steps moved: found by its line
            status = screen.query_one("#status").message  # type: ignore[attr-defined]
            return status, current.line, current.kind

    return asyncio.run(flow())


def test_saving_the_scenario_records_it_again_and_says_what_changed(tmp_path: Path) -> None:
    status, line, kind = _debug(
        tmp_path / "scenario.py", BEFORE_THE_TAPE, INSIDE_THE_TAPE, at_line=7, kind=GRADIENT
    )
    assert status == "scenario.py saved, recorded again · dz/dx: None → 8.0"
    assert (line, kind) == (7, GRADIENT)  # the same gradient call


def test_a_save_that_changes_no_gradient_says_so_and_keeps_the_step(tmp_path: Path) -> None:
    status, line, kind = _debug(
        tmp_path / "scenario.py",
        INSIDE_THE_TAPE,
        INSIDE_THE_TAPE.replace("(4.0)\n", "(4.0); offset = x - 1.0  # two ops more\n"),
        at_line=6,
        kind=FORWARD,
    )
    assert status == "scenario.py saved, recorded again · no change in the gradients"
    assert (line, kind) == (6, FORWARD)  # w = (x + 1.0) * 2.0


def test_the_watched_files_are_the_scenarios_that_ran(tmp_path: Path) -> None:
    trace = load(TRACES / "none_cases.json")
    scenario = tmp_path / "none_cases.py"
    trace.sources = {str(scenario): "", str(tmp_path / "helper.py"): "", "/elsewhere/x.py": ""}
    assert watched_files(str(scenario), trace) == {scenario, tmp_path / "helper.py"}


def test_before_a_trace_every_python_file_of_the_folder_is_watched(tmp_path: Path) -> None:
    for name in ("main.py", "helper.py", "notes.txt"):
        (tmp_path / name).write_text("", encoding="utf-8")
    assert watched_files(str(tmp_path / "main.py"), None) == {
        tmp_path / "main.py",
        tmp_path / "helper.py",
    }


def test_changes_name_each_gradient_that_changed() -> None:
    before = load(TRACES / "none_cases.json")
    after = copy.deepcopy(before)
    fixed = after.gradient_calls[2].result_ids[0]
    after.gradient_calls[1].result_ids = [fixed]  # dy1/dx now arrives: 1.0
    after.gradient_calls[2].result_ids = [None]
    assert changes_sentence(before, after) == "dy1/dx: None → 1.0; dy2/dx: 1.0 → None"
    assert changes_sentence(before, copy.deepcopy(before)) == "no change in the gradients"


def test_a_call_on_a_moved_line_is_matched_by_its_names() -> None:
    before = load(TRACES / "none_cases.json")
    after = copy.deepcopy(before)
    after.gradient_calls[1].line = 30  # two lines were inserted above it
    assert changes_sentence(before, after) == "no change in the gradients"
    del after.gradient_calls[2]
    assert changes_sentence(before, after) == "dy2/dx: gone"


def test_the_cursor_goes_to_the_same_occurrence_or_the_nearest_line() -> None:
    steps = build_steps(load(TRACES / "persistent.json"))
    for index in range(len(steps)):
        place = place_of(steps, index)
        assert place is not None and find_place(place, steps) == index
    file = steps[0].file
    nearest = steps[find_place(Place(file, 999, FORWARD, 0), steps)]
    assert nearest.line == max(s.line or 0 for s in steps if s.file == file)


def test_watch_refuses_a_trace(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(TRACES / "persistent.json"), "--watch"]) == 2
    assert capsys.readouterr().err == (
        "tapetui: --watch records a scenario again when it is saved; a trace is never run\n"
    )
