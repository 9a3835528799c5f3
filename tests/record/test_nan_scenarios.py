"""The scenarios of ``scenarios/nan/``, recorded with real TensorFlow: each NaN or Inf gradient
gets the cause its values show, and the safe forms are finite with no cause."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from tapetui.explain import explain
from tapetui.explain.backward import steps_by_call
from tapetui.explain.nonfinite import NonFinite, nonfinite
from tapetui.record import record
from tapetui.report.build import build_report
from tapetui.report.text import render_text
from tapetui.trace.model import Trace
from tapetui.ui.app import TapeTuiApp
from tapetui.ui.screens.debugger import DebuggerScreen
from tests.record.conftest import ROOT, line_of, plain_outputs

NAMES = sorted(p.name for p in (ROOT / "scenarios" / "nan").glob("*.py"))
CONTROLS = [name for name in NAMES if name.endswith("_control.py")]


@pytest.fixture(scope="module")
def traces(nan_traces: dict[str, Trace]) -> dict[str, Trace]:
    """Every scenario of ``scenarios/nan`` (recorded once per session, ``tests/conftest.py``)."""
    return nan_traces


def cause_of(trace: Trace) -> NonFinite:
    """The one non-finite result of the scenario's one gradient call."""
    (why,) = explain(trace).values()
    found = [nf for nf in why.nonfinite if nf is not None]
    assert len(found) == 1, why.nonfinite
    return found[0]


@pytest.mark.parametrize(
    ("name", "code", "op", "line_text", "words"),
    [
        ("where_log.py", "where_trap", "Log", "tf.math.log(x)", ["x = 0.0", "0 × inf = nan"]),
        ("where_reciprocal.py", "where_trap", "RealDiv", "1.0 / x", ["x = 0.0", "−a/b²"]),
        ("where_pow.py", "where_trap", "Pow", "x**0.5", ["x = 0.0", "b·aᵇ⁻¹ is infinite"]),
        (
            "norm_of_difference.py",
            "infinite_local_derivative",
            "Sqrt",
            "tf.norm(",
            ["1/(2·√a) = inf", "= 0.0"],
        ),
        ("exp_overflow.py", "nan_in_forward", "Exp", "tf.exp(", ["growth = [", "inf]"]),
        ("log_softmax_by_hand.py", "nan_in_forward", "Exp", "tf.exp(", ["exps = [inf,"]),
        ("float16_loss_scale.py", "overflow", "Mul", "w * x", ["131072.0", "float16", "65504"]),
        (
            "float16_sum_overflow.py",
            "overflow",
            "sum of gradients",
            "wr = tf.identity(w)",
            ["(40000.0, 40000.0)", "the tape's sum of them, inf", "65504"],
        ),
        # the recorder dates a constant made before the first op at that op's line: the data's
        # line is the one the trace gives for `x`
        ("nan_in_data.py", "nan_in_forward", "data", None, ["`x`", "1 NaN"]),
    ],
)
def test_each_nan_scenario_gets_the_cause_its_values_show(
    traces: dict[str, Trace],
    name: str,
    code: str,
    op: str,
    line_text: str | None,
    words: list[str],
) -> None:
    trace = traces[name]
    found = cause_of(trace)
    assert found.cause.code == code, found.cause.sentence
    assert found.op == op
    if line_text is not None:
        assert found.line == line_of(trace, line_text)
    else:
        data = next(t for t in trace.tensors.values() if t.name == "x")
        assert found.line == data.line
    for word in words:
        assert word in found.cause.sentence
    assert found.line in found.cause.evidence_lines
    if name == "float16_sum_overflow.py":  # the contributions are the evidence too
        assert line_of(trace, "loss = wr * scale") in found.cause.evidence_lines
    call = next(iter(trace.gradient_calls.values()))
    assert call.line in found.cause.evidence_lines


def test_the_where_trap_points_at_the_where_that_discarded_the_branch(
    traces: dict[str, Trace],
) -> None:
    trace = traces["where_log.py"]
    found = cause_of(trace)
    texts = [e.text for e in found.cause.evidence]
    assert "tf.where discarded the branch" in texts
    assert "double where" in found.cause.fix
    # the step marked is the Log's, where 0 × inf happened, not the later ones carrying the NaN
    step = next(e for e in trace.events if e.seq == found.step)
    assert step.kind == "backward_step" and step.op_type == "Log"


@pytest.mark.parametrize("name", CONTROLS)
def test_the_safe_forms_are_finite_and_get_no_cause(traces: dict[str, Trace], name: str) -> None:
    trace = traces[name]
    (call,) = trace.gradient_calls.values()
    assert call.result_ids and not any(nonfinite(trace, r) for r in call.result_ids)
    (why,) = explain(trace).values()
    assert why.nonfinite == [None]
    (result,) = build_report(trace)["gradient_calls"][0]["results"]
    assert "nonfinite" not in result and result["cause"] is None


def test_the_controls_are_the_safe_forms_the_issue_names() -> None:
    texts = {name: (ROOT / "scenarios" / "nan" / name).read_text() for name in CONTROLS}
    assert "tf.sqrt(x)" in texts["where_sqrt_control.py"]
    assert "tf.math.xlogy" in texts["xlogy_control.py"]
    assert "divide_no_nan" in texts["divide_no_nan_control.py"]
    assert "tf.nn.log_softmax" in texts["log_softmax_control.py"]
    assert texts["double_where_control.py"].count("tf.where(") == 2


def test_the_recorder_leaves_what_the_nan_scenarios_print_unchanged(
    traces: dict[str, Trace],
) -> None:
    plain = plain_outputs([f"nan/{name}" for name in NAMES])
    for name in NAMES:
        assert traces[name].output("stdout") == plain[f"nan/{name}"], name


def test_the_report_prints_the_cause_fix_and_evidence_of_a_nan(traces: dict[str, Trace]) -> None:
    trace = traces["where_log.py"]
    text = render_text(trace)
    log_line, call_line = line_of(trace, "tf.math.log(x)"), line_of(trace, "tape.gradient")
    assert "  ! dloss/dx = [nan, 1.0, 0.5]\n    warning: 1 nan in this gradient\n" in text
    assert (
        "    cause [where_trap] tf.where (SelectV2, line 12) discarded the value of `Log`" in text
    )
    assert '    fix: make the discarded branch safe too (a "double where")' in text
    assert f"    evidence: lines {log_line}, {call_line}\n" in text


def test_the_json_report_says_why_a_result_is_not_finite(traces: dict[str, Trace]) -> None:
    trace = traces["float16_loss_scale.py"]
    (result,) = build_report(trace)["gradient_calls"][0]["results"]
    nonfinite = result["nonfinite"]
    assert set(nonfinite) == {
        "nan", "inf", "cause", "explanation", "fix", "op", "line", "evidence_lines"
    }  # fmt: skip
    assert (nonfinite["nan"], nonfinite["inf"], nonfinite["cause"]) == (0, 1, "overflow")
    assert (nonfinite["op"], nonfinite["line"]) == ("Mul", line_of(trace, "w * x"))
    assert nonfinite["evidence_lines"] == [line_of(trace, "w * x"), line_of(trace, "tape.gradient")]
    assert result["cause"] is None  # the why-None cause: the gradient is there


def test_w_explains_a_nan_and_marks_the_backward_step_that_made_it(
    traces: dict[str, Trace],
) -> None:
    trace = traces["where_log.py"]
    log_line, call_line = line_of(trace, "tf.math.log(x)"), line_of(trace, "tape.gradient")

    async def flow() -> None:
        app = TapeTuiApp(trace=trace)
        async with app.run_test(size=(120, 40)) as pilot:
            screen = app.screen
            assert isinstance(screen, DebuggerScreen)
            await pilot.press("w")
            text = screen.why_pane.plain
            assert text.startswith(f"why is dloss/dx NaN? (line {call_line})")
            assert "cause: where_trap" in text and "0 × inf = nan" in text
            assert f"first non-finite: Log (line {log_line}) · the current step" in text
            step = screen.stepper.current if screen.stepper else None
            assert step is not None and step.kind == "backward"
            assert step.event.op_type == "Log"
            assert screen.source_view.current == log_line
            assert {log_line, call_line} <= screen.source_view.evidence

    asyncio.run(flow())


def test_w_on_a_finite_control_finds_nothing_to_explain(traces: dict[str, Trace]) -> None:
    async def flow() -> None:
        app = TapeTuiApp(trace=traces["where_sqrt_control.py"])
        async with app.run_test(size=(120, 40)) as pilot:
            screen = app.screen
            assert isinstance(screen, DebuggerScreen)
            await pilot.press("w")
            assert screen.why_pane.plain.startswith("every gradient call returned a value")

    asyncio.run(flow())


def _nonfinite_calls(trace: Trace) -> list[tuple[int, NonFinite]]:
    """(call id, why) of every call with a NaN/Inf result, in call order."""
    found = []
    for call_id, why in sorted(explain(trace).items()):
        found += [(call_id, nf) for nf in why.nonfinite if nf is not None]
    return found


def test_a_diverging_loop_says_where_the_first_inf_was_made_then_which_update_did_it(
    traces: dict[str, Trace],
) -> None:
    trace = traces["diverging_loop.py"]
    found = _nonfinite_calls(trace)
    (first_call, first), (second_call, second) = found[0], found[1]
    assert first_call == second_call - 1 and all(nf.cause.code for _, nf in found)
    # the last finite step: 2·(w·x − y) is beyond float32 in the backward pass
    assert (first.cause.code, first.op) == ("overflow", "Square")
    assert first.line == line_of(trace, "tf.square(w * x - y)")
    # the next step reads the w that update made inf
    assert second.cause.code == "nan_in_forward"
    assert "the variable `w` already held inf" in second.cause.sentence
    assert line_of(trace, "w.assign_sub(lr * grad)") in second.cause.evidence_lines
    whys = explain(trace)
    earlier = [c for c in trace.gradient_calls if c < first_call]
    assert earlier and all(whys[c].nonfinite == [None] for c in earlier)


def test_a_nan_after_the_budget_says_it_was_not_recorded_in_detail() -> None:
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        trace = record(Path("scenarios") / "nan" / "diverging_loop.py")  # the default budget
    finally:
        os.chdir(cwd)
    found = _nonfinite_calls(trace)
    assert found and {nf.cause.code for _, nf in found} == {"not_recorded_in_detail"}
    assert "--budget-tapes" in found[0][1].cause.fix
    text = render_text(trace)
    assert "    cause [not_recorded_in_detail] The gradient is non-finite, but this call" in text


@pytest.mark.parametrize("name", [n for n in NAMES if n not in CONTROLS])
def test_the_step_that_made_the_nan_is_checked_against_its_rule(
    traces: dict[str, Trace], name: str
) -> None:
    """A rule whose value is inf or NaN at the singular input is compared with TensorFlow's,
    not left unchecked (``no_value``) because Python raised dividing by zero."""
    trace = traces[name]
    checks = [s for steps in steps_by_call(trace).values() for s in steps]
    for _, found in _nonfinite_calls(trace):
        step = next((s for s in checks if s.event.seq == found.step), None)
        if step is None:  # a sum of contributions, or the data: no rule to check
            continue
        verdicts = {i.check for i in step.inputs} - {"skipped"}
        assert verdicts and "no_value" not in verdicts, (name, step.event.op_type, verdicts)
