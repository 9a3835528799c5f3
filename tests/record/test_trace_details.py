"""What the recorder captured from the seed scenarios, checked against values a user would check."""

from __future__ import annotations

from typing import Any

from tapetui.trace.events import (
    BackwardStepEvent,
    BoundaryEvent,
    GradientSumEvent,
    OpEvent,
    OutputEvent,
    WatchEvent,
)
from tapetui.trace.model import Trace
from tests.record.conftest import Run, line_of


def data(trace: Trace, ref: int | None) -> Any:
    return None if ref is None else trace.tensors[ref].data


def ops_on(trace: Trace, line: int, forward: bool = True) -> list[OpEvent]:
    return [
        e
        for e in trace.events
        if isinstance(e, OpEvent) and e.line == line and e.backward != forward
    ]


def events(trace: Trace, cls: type) -> list[Any]:
    return [e for e in trace.events if isinstance(e, cls)]


def test_z2_is_a_mul_of_3_by_3_recorded_by_the_tape(runs: dict[str, Run]) -> None:
    trace = runs["persistent.py"].trace
    (mul,) = [e for e in ops_on(trace, line_of(trace, "z2 = y * y")) if e.op_type == "Mul"]
    assert [data(trace, i) for i in mul.inputs] == [3.0, 3.0]
    assert [data(trace, o) for o in mul.outputs] == [9.0]
    assert mul.recorded_by == [1]
    assert trace.tensors[mul.outputs[0]].name == "z2"


def test_scenario_names_are_captured(runs: dict[str, Run]) -> None:
    trace = runs["persistent.py"].trace
    names = {t.name for t in trace.tensors.values() if t.name}
    assert {"z1", "z2", "z", "dz_dx", "dz_dy"} <= names
    assert sorted(v.pyname for v in trace.variables.values()) == ["x", "y"]
    assert trace.tapes[1].label == "tape"


def test_persistent_tape_flags_and_automatic_watches(runs: dict[str, Run]) -> None:
    trace = runs["persistent.py"].trace
    tape = trace.tapes[1]
    assert (tape.persistent, tape.watch_accessed_variables, tape.line) == (
        True,
        True,
        line_of(trace, "with tf.GradientTape(persistent=True)"),
    )
    watches = events(trace, WatchEvent)
    assert [(w.explicit, [i.label for i in w.items]) for w in watches] == [
        (False, ["x"]),
        (False, ["y"]),
    ]
    assert tape.watched == [v.id for v in trace.variables.values()]


def test_dz_dx_is_the_sum_of_two_contributions_of_4(runs: dict[str, Run]) -> None:
    trace = runs["persistent.py"].trace
    call = trace.gradient_calls[1]
    x = next(v for v in trace.variables.values() if v.pyname == "x")
    assert call.source_ids == [x.id]
    assert data(trace, call.results) == 8.0
    (total,) = [s for s in events(trace, GradientSumEvent) if s.call == 1 and s.tensor == x.id]
    assert [data(trace, g) for g in total.contributions] == [4.0, 4.0]
    assert data(trace, total.total) == 8.0
    assert total.total == call.results


def test_backward_step_of_z1_multiplies_upstream_by_the_other_factor(runs: dict[str, Run]) -> None:
    trace = runs["persistent.py"].trace
    line = line_of(trace, "z1 = x * x")
    steps = [
        s
        for s in events(trace, BackwardStepEvent)
        if s.call == 1 and s.op_type == "Mul" and s.line == line
    ]
    (step,) = steps
    assert trace.ops[step.op].line == line
    assert [data(trace, u) for u in step.upstream] == [1.0]
    assert [data(trace, p) for p in step.produced] == [4.0, 4.0]


def test_every_backward_step_maps_to_a_forward_op(runs: dict[str, Run]) -> None:
    for name in ("persistent.py", "higher_order.py", "keras_watch.py", "linear_regression.py"):
        trace = runs[name].trace
        steps = events(trace, BackwardStepEvent)
        assert steps
        assert all(trace.ops[step.op].op_type == step.op_type for step in steps), name


def test_unbuilt_layer_watch_is_empty_and_accessed_watching_is_off(runs: dict[str, Run]) -> None:
    trace = runs["keras_watch.py"].trace
    first, second = trace.tapes[1], trace.tapes[2]
    assert (first.watch_accessed_variables, second.watch_accessed_variables) == (False, True)
    explicit = [w for w in events(trace, WatchEvent) if w.explicit]
    assert [(w.tape, w.empty, w.items) for w in explicit] == [(1, True, []), (2, True, [])]
    assert first.watched == []
    assert trace.gradient_calls[1].results == [None, None]
    automatic = [
        w.items[0].label for w in events(trace, WatchEvent) if w.tape == 2 and not w.explicit
    ]
    assert automatic == ["a.kernel", "a.bias", "b.kernel", "b.bias"]
    assert all(v.keras for v in trace.variables.values())
    kernel, bias = (data(trace, r) for r in trace.gradient_calls[2].result_ids)
    assert (len(kernel), len(kernel[0]), len(bias)) == (2, 2, 2)


def test_watching_a_constant_by_hand(runs: dict[str, Run]) -> None:
    trace = runs["watch_constant.py"].trace
    (watch,) = events(trace, WatchEvent)
    assert [(i.label, i.status) for i in watch.items] == [("x", "watched")]
    (constant,) = [b for b in events(trace, BoundaryEvent) if b.tensor == watch.items[0].ref]
    assert (constant.direction, constant.how, data(trace, constant.tensor)) == (
        "in",
        "constant",
        3.0,
    )


def test_int_watch_is_ignored_with_tensorflows_warning(runs: dict[str, Run]) -> None:
    trace = runs["int_dtype.py"].trace
    watch = events(trace, WatchEvent)[0]
    (item,) = watch.items
    assert (item.label, item.status, item.reason) == (
        "x",
        "ignored",
        "int32 is not a floating-point dtype",
    )
    assert "The dtype of the watched tensor must be floating" in trace.output("stderr")
    warning = next(e for e in events(trace, OutputEvent) if e.stream == "stderr")
    assert warning.line == line_of(trace, "tape.watch(x)  # TensorFlow logs")
    assert trace.gradient_calls[1].results is None


def test_op_outside_the_tape_is_not_recorded(runs: dict[str, Run]) -> None:
    trace = runs["none_cases.py"].trace
    (outside,) = [e for e in ops_on(trace, line_of(trace, "y1 = x * x")) if e.op_type == "Mul"]
    (inside,) = [e for e in ops_on(trace, line_of(trace, "y2 = x + 1")) if e.op_type == "AddV2"]
    assert (outside.recorded_by, inside.recorded_by) == ([], [1])
    assert [c.results is None for c in trace.gradient_calls.values()] == [True, False]


def test_gradient_arguments_are_kept(runs: dict[str, Run]) -> None:
    trace = runs["gradient_args.py"].trace
    weighted, plain_dict, zero_dict = (trace.gradient_calls[i] for i in (2, 3, 4))
    assert data(trace, weighted.output_gradients) == [1.0, 10.0]
    assert data(trace, weighted.results) == [2.0, 40.0]
    assert set(plain_dict.sources) == {"x", "unused"}
    assert plain_dict.results["unused"] is None
    assert (plain_dict.unconnected_gradients, zero_dict.unconnected_gradients) == ("none", "zero")
    assert data(trace, zero_dict.results["unused"]) == 0.0


def test_gradient_inside_the_with_block_is_flagged(runs: dict[str, Run]) -> None:
    trace = runs["gradient_inside_context.py"].trace
    (call,) = trace.gradient_calls.values()
    assert call.inside_context and data(trace, call.results) == 108.0


def test_second_gradient_of_a_non_persistent_tape_records_the_error(runs: dict[str, Run]) -> None:
    trace = runs["non_persistent_reuse.py"].trace
    first, second = trace.gradient_calls.values()
    assert data(trace, first.results) == 108.0
    assert second.error is not None and second.error.type == "RuntimeError"
    assert "non-persistent GradientTape" in second.error.message
    assert second.line == line_of(trace, "dy_dx = tape.gradient(y, x)")


def test_nested_tapes_record_the_inner_backward_pass(runs: dict[str, Run]) -> None:
    trace = runs["higher_order.py"].trace
    outer = next(t for t in trace.tapes.values() if t.label == "outer")
    inner = next(t for t in trace.tapes.values() if t.label == "inner")
    assert inner.parent == outer.id
    backward_on_outer = [
        e for e in events(trace, OpEvent) if e.backward and outer.id in e.recorded_by
    ]
    assert backward_on_outer
    results = [data(trace, c.results) for c in trace.gradient_calls.values()]
    assert results == [108.0, 6.0, 108.0, 6.0, 108.0, 2.0]


def test_values_leaving_tensorflow_are_boundaries(runs: dict[str, Run]) -> None:
    trace = runs["linear_regression.py"].trace
    line = line_of(trace, "Loss: {loss.numpy()")
    outs = [b for b in events(trace, BoundaryEvent) if b.direction == "out" and b.line == line]
    assert {b.how for b in outs} == {"numpy"}
    assert len(outs) == 10
