"""Why a gradient is NaN or Inf, on hand-built traces with the backward steps TensorFlow runs."""

from __future__ import annotations

from typing import Any

from tapetui.explain import explain_call
from tapetui.explain.nonfinite import NonFinite, counts
from tapetui.trace.events import BackwardStepEvent, GradientSumEvent
from tapetui.trace.model import Tensor
from tests.explain.timeline import FILE, Timeline

SOURCE = "\n".join(f"line {n}" for n in range(1, 21))


def grad(tl: Timeline, value: Any, dtype: str = "float32") -> int:
    """A gradient tensor TensorFlow produced in the backward pass."""
    ref = tl._id()
    tl.trace.tensors[ref] = Tensor(ref, dtype, [], value, file=FILE, line=None)
    return ref


def step(
    tl: Timeline, op: int, upstream: Any, produced: list[Any], line: int, dtype: str = "float32"
) -> int:
    """The backward step of the op that made tensor ``op``; returns the first produced gradient."""
    refs = [None if v is None else grad(tl, v, dtype) for v in produced]
    event = tl.trace.events
    event.append(
        BackwardStepEvent(
            seq=len(event),
            file=FILE,
            line=line,
            call=len(tl.trace.gradient_calls) + 1,
            op=op,
            op_type=tl.trace.events[_op_seq(tl, op)].op_type,
            upstream=[grad(tl, upstream, dtype)],
            produced=refs,
            skipped=[i for i, v in enumerate(produced) if v is None],
        )
    )
    return refs[0] if refs[0] is not None else -1


def _op_seq(tl: Timeline, op: int) -> int:
    return next(e.seq for e in tl.trace.events if getattr(e, "op", None) == op and e.kind == "op")


def only(tl: Timeline, call: int, index: int = 0) -> NonFinite:
    found = explain_call(tl.trace, call).nonfinite[index]
    assert found is not None
    return found


def where_over_log(upstream_at_zero: float = 0.0) -> tuple[Timeline, int]:
    """``y = tf.where(x > 0, tf.math.log(x), 0.0); loss = sum(y)`` at x = [0, 1]."""
    tl = Timeline(SOURCE)
    x = tl.variable("x", [0.0, 1.0], 1)
    tape = tl.tape(2)
    tl.enter(tape, 2)
    xr = tl.read(x, 3, value=[0.0, 1.0])
    cond = tl.op("Greater", [xr], 3, value=[False, True], dtype="bool")
    log = tl.op("Log", [xr], 3, value=["-inf", 0.0])
    zero = tl.constant(None, 0.0, 3)
    y = tl.op("SelectV2", [cond, log, zero], 3, name="y", value=[0.0, 0.0])
    loss = tl.op("Sum", [y], 4, name="loss", value=0.0)
    tl.exit(tape, 5)
    step(tl, loss, 1.0, [[1.0, 1.0]], 4)
    step(tl, y, [1.0, 1.0], [None, [upstream_at_zero, 1.0], None], 3)
    bad = "nan" if upstream_at_zero == 0 else "-inf"
    step(tl, log, [upstream_at_zero, 1.0], [[bad, 1.0]], 3)
    step(tl, xr, [bad, 1.0], [[bad, 1.0]], 3)
    return tl, tl.gradient(tape, loss, [x], 6, [[bad, 1.0]])


def test_a_discarded_log_at_zero_is_a_where_trap_at_the_log_with_the_where_as_evidence() -> None:
    tl, call = where_over_log()
    found = only(tl, call)
    assert found.cause.code == "where_trap"
    assert (found.op, found.line, found.nan, found.inf) == ("Log", 3, 1, 0)
    assert "x = 0.0" in found.cause.sentence and "0 × inf" in found.cause.sentence
    assert "tf.where" in found.cause.sentence and "double where" in found.cause.fix
    assert found.cause.evidence_lines == [3, 6]
    step_seq = [e.seq for e in tl.trace.events if type(e) is BackwardStepEvent][2]
    assert found.step == step_seq  # the Log step, not the steps that only carried the NaN on


def test_the_same_log_without_a_where_is_already_infinite_in_the_forward_pass() -> None:
    tl = Timeline(SOURCE)
    x = tl.variable("x", [0.0, 1.0], 1)
    tape = tl.tape(2)
    tl.enter(tape, 2)
    xr = tl.read(x, 3, value=[0.0, 1.0])
    log = tl.op("Log", [xr], 3, name="logs", value=["-inf", 0.0])
    loss = tl.op("Sum", [log], 4, name="loss", value="-inf")
    tl.exit(tape, 5)
    step(tl, loss, 1.0, [[1.0, 1.0]], 4)
    step(tl, log, [1.0, 1.0], [["inf", 1.0]], 3)
    step(tl, xr, ["inf", 1.0], [["inf", 1.0]], 3)
    found = only(tl, tl.gradient(tape, loss, [x], 6, [["inf", 1.0]]))
    assert (found.cause.code, found.op, found.line) == ("nan_in_forward", "Log", 3)
    assert "logs = [-inf, 0.0]" in found.cause.sentence


def test_sqrt_of_zero_with_a_nonzero_upstream_has_an_infinite_local_derivative() -> None:
    tl = Timeline(SOURCE)
    d = tl.variable("d", 0.0, 1)
    tape = tl.tape(2)
    tl.enter(tape, 2)
    dr = tl.read(d, 3, value=0.0)
    root = tl.op("Sqrt", [dr], 3, name="distance", value=0.0)
    tl.exit(tape, 4)
    step(tl, root, 1.0, ["inf"], 3)
    step(tl, dr, "inf", ["inf"], 3)
    found = only(tl, tl.gradient(tape, root, [d], 5, ["inf"]))
    assert (found.cause.code, found.op, found.line, found.inf) == (
        "infinite_local_derivative",
        "Sqrt",
        3,
        1,
    )
    assert "∂√a/∂a = 1/(2·√a) = inf" in found.cause.sentence and "d = 0.0" in found.cause.sentence
    assert "epsilon" in found.cause.fix


def test_sqrt_at_zero_inside_a_where_is_finite_and_gets_no_cause() -> None:
    tl = Timeline(SOURCE)
    x = tl.variable("x", [0.0, 4.0], 1)
    tape = tl.tape(2)
    tl.enter(tape, 2)
    xr = tl.read(x, 3, value=[0.0, 4.0])
    cond = tl.op("Greater", [xr], 3, value=[False, True], dtype="bool")
    root = tl.op("Sqrt", [xr], 3, value=[0.0, 2.0])
    y = tl.op("SelectV2", [cond, root, tl.constant(None, 0.0, 3)], 3, value=[0.0, 2.0])
    tl.exit(tape, 4)
    step(tl, y, [1.0, 1.0], [None, [0.0, 1.0], None], 3)
    step(tl, root, [0.0, 1.0], [[0.0, 0.25]], 3)  # TensorFlow's SqrtGrad: 0 for a 0 upstream
    step(tl, xr, [0.0, 0.25], [[0.0, 0.25]], 3)
    call = tl.gradient(tape, y, [x], 5, [[0.0, 0.25]])
    assert explain_call(tl.trace, call).nonfinite == [None]


def test_a_float16_product_beyond_65504_is_an_overflow_with_its_factors() -> None:
    tl = Timeline(SOURCE)
    w = tl.variable("w", [0.1], 1, dtype="float16")
    x = tl.constant("x", [4.0], 2, dtype="float16")
    tape = tl.tape(3)
    tl.enter(tape, 3)
    wr = tl.read(w, 4, value=[0.1])
    y = tl.op("Mul", [wr, x], 4, name="scaled", value=[0.4], dtype="float16")
    tl.exit(tape, 5)
    step(tl, y, [32768.0], [["inf"], None], 4, dtype="float16")
    step(tl, wr, ["inf"], [["inf"]], 4, dtype="float16")
    found = only(tl, tl.gradient(tape, y, [w], 6, [["inf"]]))
    assert (found.cause.code, found.op, found.line) == ("overflow", "Mul", 4)
    assert "131072.0" in found.cause.sentence and "65504.0" in found.cause.sentence
    assert "loss scale" in found.cause.fix


def test_finite_contributions_whose_sum_overflows_are_the_tapes_own_overflow() -> None:
    tl = Timeline(SOURCE)
    w = tl.variable("w", 1.0, 1, dtype="float16")
    tape = tl.tape(2)
    tl.enter(tape, 2)
    wr = tl.read(w, 3, value=1.0)
    y = tl.op("Mul", [wr, wr], 3, name="y", value=1.0, dtype="float16")
    tl.exit(tape, 4)
    step(tl, y, 40000.0, [40000.0, 40000.0], 3, dtype="float16")
    contributions = next(e.produced for e in tl.trace.events if type(e) is BackwardStepEvent)
    total = grad(tl, "inf", "float16")
    tl.trace.events.append(
        GradientSumEvent(len(tl.trace.events), FILE, 3, 1, wr, list(contributions), total)
    )
    step(tl, wr, "inf", ["inf"], 3, dtype="float16")
    found = only(tl, tl.gradient(tape, y, [w], 5, ["inf"]))
    assert found.cause.code == "overflow" and found.op == "sum of gradients"
    assert "40000.0, 40000.0" in found.cause.sentence


def test_nan_in_the_data_is_named_as_the_data() -> None:
    tl = Timeline(SOURCE)
    x = tl.constant("x", [1.0, "nan"], 1)
    w = tl.variable("w", 2.0, 2)
    tape = tl.tape(3)
    tl.enter(tape, 3)
    wr = tl.read(w, 4, value=2.0)
    y = tl.op("Mul", [wr, x], 4, name="y", value=[2.0, "nan"])
    loss = tl.op("Sum", [y], 5, name="loss", value="nan")
    tl.exit(tape, 6)
    step(tl, loss, 1.0, [[1.0, 1.0]], 5)
    step(tl, y, [1.0, 1.0], ["nan", None], 4)
    step(tl, wr, "nan", ["nan"], 4)
    found = only(tl, tl.gradient(tape, loss, [w], 7, ["nan"]))
    assert (found.cause.code, found.line) == ("nan_in_forward", 1)
    assert "`x` (line 1) holds 1 NaN" in found.cause.sentence
    assert found.cause.evidence_lines == [1, 4, 7]


def test_a_finite_result_next_to_a_nan_one_gets_no_cause() -> None:
    tl = Timeline(SOURCE)
    x = tl.constant("x", "nan", 1)
    a = tl.variable("a", 2.0, 2)
    b = tl.variable("b", 3.0, 2)
    tape = tl.tape(3)
    tl.enter(tape, 3)
    ar, br = tl.read(a, 4, value=2.0), tl.read(b, 4, value=3.0)
    ax = tl.op("Mul", [ar, x], 4, value="nan")
    loss = tl.op("AddV2", [ax, br], 4, value="nan")
    tl.exit(tape, 5)
    step(tl, loss, 1.0, [1.0, 1.0], 4)
    step(tl, ax, 1.0, ["nan", None], 4)
    step(tl, ar, "nan", ["nan"], 4)
    step(tl, br, 1.0, [1.0], 4)
    call = tl.gradient(tape, loss, [a, b], 6, ["nan", 1.0])
    found = explain_call(tl.trace, call).nonfinite
    assert found[1] is None and found[0] is not None
    assert found[0].cause.code == "nan_in_forward"


def test_finite_gradients_never_get_a_nonfinite_cause() -> None:
    tl = Timeline(SOURCE)
    w = tl.variable("w", 3.0, 1)
    tape = tl.tape(2)
    tl.enter(tape, 2)
    wr = tl.read(w, 3, value=3.0)
    y = tl.op("Mul", [wr, wr], 3, value=9.0)
    tl.exit(tape, 4)
    step(tl, y, 1.0, [3.0, 3.0], 3)
    call = tl.gradient(tape, y, [w], 5, [6.0])
    assert explain_call(tl.trace, call).nonfinite == [None]


def test_a_summarised_call_with_a_nan_says_it_was_not_recorded_in_detail() -> None:
    tl = Timeline(SOURCE)
    w = tl.variable("w", 3.0, 1)
    tape = tl.tape(2)
    tl.trace.meta["summarised"] = {"from_seq": 0, "reason": "tapes", "tapes_in_detail": 0}
    call = tl.gradient(tape, w, [w], 5, ["nan"])
    found = only(tl, call)
    assert found.cause.code == "not_recorded_in_detail"
    assert "--budget-tapes" in found.cause.fix


def test_counts_read_a_summary_of_a_large_tensor() -> None:
    from tapetui.trace.model import ValueSummary

    tl = Timeline(SOURCE)
    ref = grad(tl, None)
    tl.trace.tensors[ref].summary = ValueSummary(1000, [0.0], nan=2, inf=3)
    assert counts(tl.trace, ref) == (2, 3)


def test_a_summarised_call_after_a_detailed_nan_on_its_line_carries_that_cause_over() -> None:
    tl, first = where_over_log()
    tl.trace.meta["summarised"] = {"from_seq": len(tl.trace.events), "reason": "repeats"}
    tape = next(iter(tl.trace.tapes))
    x = tl.trace.gradient_calls[first].source_ids[0]
    loss = tl.trace.gradient_calls[first].target_ids[0]
    later = tl.gradient(tape, loss, [x], 6, [["nan", 1.0]])  # the same line, after the budget
    found = only(tl, later)
    assert found.cause.code == "where_trap" and found.op == "Log"
    assert found.cause.sentence.startswith("As in the call recorded in detail on tape")


def test_every_nonfinite_code_is_documented_in_the_readme() -> None:
    from pathlib import Path

    from tapetui.explain import NONFINITE_CODES

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    for code in NONFINITE_CODES:
        assert f"| `{code}` |" in readme, code


def test_in_every_recorded_test_trace_exactly_the_nonfinite_results_get_a_nan_cause() -> None:
    from pathlib import Path

    from tapetui.explain import explain
    from tapetui.explain.nonfinite import nonfinite
    from tapetui.trace import load

    traces = sorted((Path(__file__).resolve().parents[1] / "ui" / "traces").glob("*.json"))
    assert traces
    for path in traces:
        trace = load(path)
        for call_id, why in explain(trace).items():
            call = trace.gradient_calls[call_id]
            if call.error is not None:
                assert why.nonfinite == []
                continue
            for ref, found in zip(call.result_ids, why.nonfinite, strict=True):
                assert (found is not None) == (ref is not None and nonfinite(trace, ref)), path
