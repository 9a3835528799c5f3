"""The explainer's entry points: one gradient call, or every call of a trace."""

from __future__ import annotations

import weakref

from tapetui.explain.causes import CallExplanation, Cause
from tapetui.explain.context import CallContext, in_words_of
from tapetui.explain.dataflow import Dataflow, build
from tapetui.explain.errors import (
    call_notes,
    error_cause,
    missing_module_cause,
    no_gradients_cause,
    optimizer_error,
)
from tapetui.explain.fnvariables import variable_in_function_cause
from tapetui.explain.nonfinite import explain_nonfinite
from tapetui.explain.recording import TapeView
from tapetui.explain.summarised import (
    carried_over,
    detailed_calls,
    is_summarised,
    not_in_detail,
)
from tapetui.explain.whynone import explain_source
from tapetui.trace.model import GradientCall, Tape, Trace

_flows: dict[int, tuple[weakref.ref[Trace], int, Dataflow]] = {}


def explain(trace: Trace) -> dict[int, CallExplanation]:
    """Every gradient call of the trace, explained, by call id."""
    return {call_id: explain_call(trace, call_id) for call_id in sorted(trace.gradient_calls)}


def explain_call(trace: Trace, call_id: int) -> CallExplanation:
    """Why each source of one gradient call got no gradient (or a NaN/Inf one), why the call
    raised, and notes."""
    with in_words_of(trace):
        explanation = _explain_call(trace, call_id)
        call = trace.gradient_calls[call_id]
        if call.error is None:
            explanation.nonfinite = explain_nonfinite(trace, call, is_summarised(trace, call))
    return explanation


def _explain_call(trace: Trace, call_id: int) -> CallExplanation:
    call = trace.gradient_calls[call_id]
    ctx = _context(trace, call)
    if call.error is None and is_summarised(trace, call):
        return _summarised(trace, call, ctx)
    if call.error is not None:
        results: list[Cause | None] = [None] * len(call.source_ids)
        return CallExplanation(call_id, results, error_cause(ctx), call_notes(ctx, results))
    results = [
        _result(ctx, source, call.result_ids[i] if i < len(call.result_ids) else None)
        for i, source in enumerate(call.source_ids)
    ]
    return CallExplanation(call_id, results, None, call_notes(ctx, results))


def explain_error(trace: Trace) -> Cause | None:
    """Why the scenario itself raised, where that is a gradient problem: an optimizer given no
    gradient at all (``no_gradients_provided``), or a module that is not installed
    (``missing_module``); ``None`` otherwise."""
    with in_words_of(trace):
        return _explain_error(trace)


def _explain_error(trace: Trace) -> Cause | None:
    event = optimizer_error(trace)
    if event is None:
        return missing_module_cause(trace) or variable_in_function_cause(trace)
    call = trace.gradient_calls.get(event.call) if event.call is not None else None
    if call is None:
        return no_gradients_cause(event, None, [])
    return no_gradients_cause(event, _context(trace, call), explain_call(trace, call.id).results)


def _context(trace: Trace, call: GradientCall) -> CallContext:
    tape = trace.tapes.get(call.tape) or Tape(call.tape, None, None, False, True)
    flow = dataflow_of(trace)
    return CallContext(
        trace,
        flow,
        call,
        TapeView.of(trace, tape, call.seq, flow.tape_events.get(tape.id, [])),
        targets={t for t in call.target_ids if t is not None},
    )


def _summarised(trace: Trace, call: GradientCall, ctx: CallContext) -> CallExplanation:
    """A call with no recorded ops: its Nones are explained by the same call in detail."""
    index = detailed_calls(trace)
    earlier_id = index.same_call(call)
    earlier = trace.gradient_calls.get(earlier_id) if earlier_id is not None else None
    before = None
    if earlier is not None:
        if earlier.id not in index.explained:
            index.explained[earlier.id] = explain_call(trace, earlier.id)
        before = index.explained[earlier.id]
    results: list[Cause | None] = []
    for i, source in enumerate(call.source_ids):
        result = call.result_ids[i] if i < len(call.result_ids) else None
        if result is not None and (
            call.unconnected_gradients != "zero" or not _all_zero(ctx, result)
        ):
            results.append(None)
            continue
        cause = before.results[i] if before is not None and i < len(before.results) else None
        if earlier is not None and cause is not None:
            results.append(carried_over(earlier, cause))
        else:
            results.append(not_in_detail(trace, call, source))
    return CallExplanation(call.id, results, None, list(before.notes) if before else [])


def dataflow_of(trace: Trace) -> Dataflow:
    """The trace's dataflow, built once per trace (and again if its timeline grew).

    Only the latest trace's is kept: the dataflow holds its trace, so keeping more would keep
    every trace ever explained (each re-run's) alive.
    """
    cached = _flows.get(id(trace))
    if cached is not None and cached[0]() is trace and cached[1] == len(trace.events):
        return cached[2]
    if trace.events and not trace.ops:
        trace.reindex()
    flow = build(trace)
    _flows.clear()
    _flows[id(trace)] = (weakref.ref(trace), len(trace.events), flow)
    return flow


def _result(ctx: CallContext, source: int, result: int | None) -> Cause | None:
    if result is not None:
        if ctx.call.unconnected_gradients != "zero" or not _all_zero(ctx, result):
            return None
        return explain_source(ctx, source)
    return explain_source(ctx, source) or _unexplained(ctx, source)


def _all_zero(ctx: CallContext, ref: int) -> bool:
    tensor = ctx.trace.tensors.get(ref)
    if tensor is None:
        return False
    if tensor.data is None:
        summary = tensor.summary
        return summary is not None and summary.min == 0 and summary.max == 0
    flat = tensor.data if isinstance(tensor.data, list) else [tensor.data]
    while flat and isinstance(flat[0], list):
        flat = [x for row in flat for x in row]
    return all(x == 0 for x in flat)


def _unexplained(ctx: CallContext, source: int) -> Cause:
    """The tape kept a clean path, yet TensorFlow returned None: point at where it stopped."""
    stops = [
        e
        for e in ctx.flow.backward_steps.get(ctx.call.id, [])
        if any(g is not None for g in e.upstream)
        and any(g is None for i, g in enumerate(e.produced) if i not in e.skipped)
    ]
    marks = [ctx.evidence(e, f"{e.op_type}: the backward pass produced no gradient") for e in stops]
    marks.append(ctx.call_evidence())
    where = f" at {ctx.statement(stops[0])}" if stops else ""
    return Cause(
        "non_differentiable_op" if stops else "no_path",
        f"{ctx.tape_name} recorded a path from {ctx.name(source)} to {ctx.target_name}, but "
        f"TensorFlow's backward pass stopped{where} and returned None.",
        "Step through the backward pass (key b) to see where the gradient stops.",
        marks,
    )
