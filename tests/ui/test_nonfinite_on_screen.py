"""NaN and Inf gradients on screen, on recorded ``scenarios/nan`` traces: the tapes pane marks
them with their cause, the why pane says what the result is, the step pane shows the rule at the
singular input, and the overview marks the first non-finite step of a loop."""

from __future__ import annotations

import asyncio
import math
from pathlib import Path

import pytest
from textual.widgets import DataTable

from tapetui.explain.broadcast import elementwise
from tapetui.explain.finite import nonfinite
from tapetui.report.build import build_report
from tapetui.trace import load
from tapetui.trace.model import Trace
from tapetui.ui.app import TapeTuiApp
from tapetui.ui.describe import describe
from tapetui.ui.screens.debugger import DebuggerScreen
from tapetui.ui.screens.overview import OverviewScreen
from tapetui.ui.steps import Stepper
from tapetui.ui.tapes import tapes_pane_lines
from tapetui.ui.why import explanations_for
from tests.record.conftest import line_of

TRACES = Path(__file__).resolve().parent / "traces"
NAMES = [
    "where_log.py",
    "norm_of_difference.py",
    "diverging_loop.py",
    "where_sqrt_control.py",
    "float16_loss_scale.py",
]


@pytest.fixture(scope="module")
def traces(nan_traces: dict[str, Trace]) -> dict[str, Trace]:
    """The scenarios these tests look at (recorded once per session, ``tests/conftest.py``)."""
    return {name: nan_traces[name] for name in NAMES}


def _calls_in_tapes_pane(trace: Trace) -> list[tuple[str, str]]:
    lines = tapes_pane_lines(trace, explanations_for(trace), None)
    start = lines.index(("gradient calls", "bold"))
    return lines[start + 1 :]


def test_the_tapes_pane_marks_a_nan_gradient_with_its_cause(traces: dict[str, Trace]) -> None:
    trace = traces["where_log.py"]
    call = line_of(trace, "tape.gradient")
    assert _calls_in_tapes_pane(trace) == [
        (f"! dloss/dx = [nan, 1.0, 0.5]  l.{call}  where_trap", "yellow")
    ]


def test_the_tapes_pane_marks_an_inf_gradient_with_its_cause(traces: dict[str, Trace]) -> None:
    ((text, style),) = _calls_in_tapes_pane(traces["norm_of_difference.py"])
    assert text.startswith("! ") and text.endswith("  infinite_local_derivative")
    assert style == "yellow"


def test_the_tapes_pane_keeps_a_finite_gradient_green(traces: dict[str, Trace]) -> None:
    ((text, style),) = _calls_in_tapes_pane(traces["where_sqrt_control.py"])
    assert text.startswith("✓ ") and style == "green"


def test_the_why_pane_title_says_the_result_is_nan(traces: dict[str, Trace]) -> None:
    trace = traces["where_log.py"]

    async def flow() -> None:
        app = TapeTuiApp(trace=trace)
        async with app.run_test(size=(120, 40)) as pilot:
            screen = app.screen
            assert isinstance(screen, DebuggerScreen)
            assert screen.why_pane.border_title == "why None"  # before w: what w explains
            await pilot.press("w")
            assert screen.why_pane.border_title == "why NaN"
            assert screen.why_pane.plain.startswith("why is dloss/dx NaN?")

    asyncio.run(flow())


def test_the_why_pane_title_says_the_result_is_inf(traces: dict[str, Trace]) -> None:
    async def flow() -> None:
        app = TapeTuiApp(trace=traces["float16_loss_scale.py"])
        async with app.run_test(size=(120, 40)) as pilot:
            screen = app.screen
            assert isinstance(screen, DebuggerScreen)
            await pilot.press("w")
            assert screen.why_pane.border_title == "why Inf"
            assert screen.why_pane.plain.startswith("why is dscaled_loss/dw Inf?")

    asyncio.run(flow())


def test_a_rule_divided_by_zero_is_inf_or_nan_as_in_tensorflow() -> None:
    assert elementwise(lambda y: 0.5 / y, [0.0, 2.0]) == [math.inf, 0.25]
    (nan,) = elementwise(lambda a, b: -a / (b * b), [0.0], [0.0])
    assert math.isnan(nan)


def _backward_of(trace: Trace, op_type: str) -> str:
    stepper = Stepper(trace)
    index = next(
        i for i, s in enumerate(stepper.steps)
        if s.kind == "backward" and s.event.op_type == op_type
    )  # fmt: skip
    return "\n".join(text for text, _ in describe(trace, stepper.go(index), {}))


def test_the_step_pane_shows_the_rule_at_the_singular_input(traces: dict[str, Trace]) -> None:
    text = _backward_of(traces["norm_of_difference.py"], "Sqrt")
    assert "∂√a/∂a = 1/(2·√a) = [inf] at a = [0.0]" in text
    assert "upstream × local = [1.0] × [inf] = [inf]" in text
    assert "✓ matches TF" in text


def test_the_report_checks_a_non_finite_rule_value_against_tensorflow(
    traces: dict[str, Trace],
) -> None:
    steps = build_report(traces["norm_of_difference.py"])["gradient_calls"][0]["backward_steps"]
    sqrt = next(s for s in steps if s["op"] == "Sqrt")
    assert sqrt["local"] == sqrt["product"] == [math.inf] and sqrt["tensorflow"] == ["inf"]
    assert sqrt["check"] == "matches"  # was no_value: Python raised on 0.5 / 0.0


def _first_nonfinite_call(trace: Trace) -> tuple[int, int]:
    """(1-based number, id) of the first gradient call whose result holds NaN or Inf."""
    ran = sorted(trace.gradient_calls.values(), key=lambda c: c.id)
    for number, call in enumerate(ran, 1):
        if any(nonfinite(trace, r) for r in call.result_ids):
            return number, call.id
    raise AssertionError("every gradient is finite")


def test_the_overview_marks_the_first_non_finite_gradient_of_a_loop(
    traces: dict[str, Trace],
) -> None:
    trace = traces["diverging_loop.py"]
    number, call_id = _first_nonfinite_call(trace)
    assert 30 < number < 60  # the loop diverges part way through its 60 steps
    line = line_of(trace, "tape.gradient")

    async def flow() -> None:
        app = TapeTuiApp(trace=trace)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("v")
            screen = app.screen
            assert isinstance(screen, OverviewScreen)
            sparklines = screen.query_one("#sparklines")
            assert str(sparklines.border_title).endswith(
                f"60 gradient calls · first non-finite gradient: call {number}, line {line}"
            )
            table = screen.query_one("#tape-table", DataTable)
            tape = trace.gradient_calls[call_id].tape
            assert table.cursor_row == number - 1  # one tape per step: its row is shown
            marked = [r for r in range(table.row_count) if str(table.get_row_at(r)[0])[0] == "!"]
            assert marked == [number - 1]
            assert str(table.get_row_at(number - 1)[0]) == f"! {tape}"

    asyncio.run(flow())


def test_the_overview_of_a_finite_loop_marks_nothing() -> None:
    async def flow() -> None:
        app = TapeTuiApp(trace=load(TRACES / "linear_regression.json"))
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("v")
            screen = app.screen
            assert isinstance(screen, OverviewScreen)
            assert "non-finite" not in str(screen.query_one("#sparklines").border_title)
            table = screen.query_one("#tape-table", DataTable)
            assert not any(
                str(table.get_row_at(r)[0]).startswith("!") for r in range(table.row_count)
            )

    asyncio.run(flow())
