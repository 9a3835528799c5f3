"""The graph of one gradient call: recorded ops between target and sources, forward values,
the real backward gradients on the edges, sums, folding, broken links and Keras layers."""

from __future__ import annotations

from pathlib import Path

import pytest

from tapetui.explain.graph import GradientGraph
from tapetui.trace import Trace, load

TRACES = Path(__file__).resolve().parents[1] / "ui" / "traces"


def trace_of(name: str) -> Trace:
    return load(TRACES / f"{name}.json")


def call_named(trace: Trace, line_text: str) -> int:
    """The gradient call on the scenario line that holds ``line_text``."""
    lines = next(iter(trace.sources.values())).splitlines()
    line = next(i for i, text in enumerate(lines, 1) if line_text in text)
    return next(c.id for c in trace.gradient_calls.values() if c.line == line)


def line_of(trace: Trace, text: str) -> int:
    lines = next(iter(trace.sources.values())).splitlines()
    return next(i for i, row in enumerate(lines, 1) if row.strip().startswith(text))


def labels_reached(graph: GradientGraph) -> set[str]:
    keys = set(graph.roots) | {e.child for e in graph.walk()}
    return {graph.node(k).label for k in keys}


@pytest.fixture
def dz_dx() -> GradientGraph:
    trace = trace_of("persistent")
    return GradientGraph(trace, call_named(trace, "dz_dx = tape.gradient(z, x)"))


def test_persistent_dz_dx_has_z_z1_z2_and_x(dz_dx: GradientGraph) -> None:
    assert labels_reached(dz_dx) == {"z", "z1", "z2", "x"}
    assert [dz_dx.node(r).label for r in dz_dx.roots] == ["z"]


def test_z2_is_folded_it_leads_to_no_source_of_dz_dx(dz_dx: GradientGraph) -> None:
    z = dz_dx.roots[0]
    by_label = {dz_dx.node(e.child).label: dz_dx.node(e.child) for e in dz_dx.children(z)}
    assert by_label["z1"].on_path
    assert not by_label["z2"].on_path  # y's branch: drawn folded, its Mul not followed
    assert "y" not in labels_reached(dz_dx)


def test_the_edges_from_z1_to_x_carry_4_twice_and_x_sums_to_8(dz_dx: GradientGraph) -> None:
    z = dz_dx.roots[0]
    z1 = next(e.child for e in dz_dx.children(z) if dz_dx.node(e.child).label == "z1")
    edges = dz_dx.children(z1)
    assert [dz_dx.node(e.child).label for e in edges] == ["x", "x"]
    assert [e.gradient for e in edges] == ["4.0", "4.0"]
    x = dz_dx.node(edges[0].child)
    assert x.gradient == "8.0"
    assert x.contributions == ["4.0", "4.0"]


def test_nodes_carry_op_line_and_forward_value(dz_dx: GradientGraph) -> None:
    trace = dz_dx.trace
    z = dz_dx.node(dz_dx.roots[0])
    assert (z.op_type, z.line, z.value, z.gradient) == (
        "AddV2",
        line_of(trace, "z = z1 + z2"),
        "25.0",
        "1.0",
    )
    assert z.target


def test_a_source_says_how_it_was_watched(dz_dx: GradientGraph) -> None:
    x = dz_dx.node(dz_dx.sources[0])
    assert x.source and x.watched is not None
    assert not x.watched.explicit  # read on the tape: watched on access
    assert x.watched.line == line_of(dz_dx.trace, "z1 = x * x")


def test_none_cases_dy1_dx_marks_outside_tape_at_y1_line() -> None:
    trace = trace_of("none_cases")
    graph = GradientGraph(trace, call_named(trace, "print(tape.gradient(y1, x))"))
    y1 = graph.node(graph.roots[0])
    assert y1.label == "y1"
    assert y1.line == line_of(trace, "y1 = x * x")
    assert not y1.recorded
    edges = graph.children(y1.key)
    assert {graph.node(e.child).label for e in edges} == {"x"}
    assert all(e.broken is not None and e.broken.code == "outside_tape" for e in edges)
    x = graph.node(graph.sources[0])
    assert x.broken is not None and x.broken.code == "outside_tape"
    assert "ran before" in x.broken.sentence


def test_the_broken_link_is_the_one_the_cause_names_not_the_others() -> None:
    trace = trace_of("frozen_variable")
    graph = GradientGraph(trace, min(trace.gradient_calls))
    edges = graph.children(graph.roots[0])
    broken = {graph.node(e.child).label: e.broken for e in edges}
    assert broken["bias"] is not None and broken["bias"].code == "not_trainable"
    assert [label for label, b in broken.items() if b is None] != []  # w * x: not broken


def test_dz_dy_draws_y_and_marks_no_break() -> None:
    trace = trace_of("persistent")
    graph = GradientGraph(trace, 2)
    assert graph.breaks.sources == {}
    assert labels_reached(graph) == {"z", "z1", "z2", "y"}


def test_the_mlp_step_folds_what_leads_to_no_variable(keras_fit_trace: Trace) -> None:
    trace = keras_fit_trace
    graph = GradientGraph(trace, min(trace.gradient_calls))
    keys = set(graph.roots) | {e.child for e in graph.walk()}
    sources = {graph.node(s).label for s in graph.sources}
    assert sources == {"dense/kernel", "dense/bias", "dense_1/kernel", "dense_1/bias"}
    assert sources <= {graph.node(k).label for k in keys}
    folded = [graph.node(k) for k in keys if not graph.node(k).on_path]
    assert folded  # the labels, the batch size cast: drawn, not followed
    assert all(not graph.children(k.key) or not k.on_path for k in folded)
    walked_ops = {graph.node(e.parent).op_type for e in graph.walk()}
    assert "Shape" not in walked_ops  # the metrics' ops are not on the way to a variable


def test_a_keras_layer_collapses_into_one_node(keras_fit_trace: Trace) -> None:
    trace = keras_fit_trace
    graph = GradientGraph(trace, min(trace.gradient_calls))
    assert graph.layers() == {"dense", "dense_1"}
    edges = graph.walk(collapsed=graph.layers())
    in_layers = [graph.node(e.parent) for e in edges if graph.node(e.parent).layer is not None]
    # collapsed, each layer is one node: its output, whose inputs come from outside the layer
    assert {n.layer for n in in_layers} == {"dense", "dense_1"}
    assert len({n.key for n in in_layers}) == 2
    dense_1 = next(n for n in in_layers if n.layer == "dense_1")
    inputs = {graph.node(e.child).label for e in graph.children(dense_1.key, graph.layers())}
    assert {"dense_1/kernel", "dense_1/bias"} <= inputs
    assert [o.op_type for o in graph.layer_ops(dense_1.key)][-2:] == ["MatMul", "AddV2"]


def test_every_gradient_on_an_mlp_edge_is_a_value_tensorflow_produced(
    keras_fit_trace: Trace,
) -> None:
    trace = keras_fit_trace
    graph = GradientGraph(trace, min(trace.gradient_calls))
    kernel = next(s for s in graph.sources if graph.node(s).label == "dense/kernel")
    call = trace.gradient_calls[min(trace.gradient_calls)]
    result = call.result_ids[call.source_ids.index(kernel)]
    tensor = trace.tensors[result]
    assert graph.node(kernel).gradient is not None
    assert graph.node(kernel).gradient.startswith(f"[{'×'.join(map(str, tensor.shape or []))}]")
