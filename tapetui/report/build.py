"""The report as plain data (the ``--json`` shape), built from a trace and its explanations."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from tapetui.explain import CallExplanation, Cause, explain, explain_error
from tapetui.explain.backward import InputCheck, StepCheck, data_of, steps_by_call
from tapetui.explain.nonfinite import NonFinite
from tapetui.explain.partials import names_of
from tapetui.explain.watches import recorded_watches, unrecorded_watches
from tapetui.report.jsonout import dumps
from tapetui.trace import ErrorInfo, GradientCall, Tape, Trace
from tapetui.trace.cells import cell_line
from tapetui.trace.labels import label, structure_label


def _in_cell(trace: Trace, file: str | None, line: int | None) -> dict[str, Any]:
    """``{"notebook": {"cell": 3, "line": 2}}`` beside a notebook's file line; else nothing."""
    where = cell_line(trace.notebook, file, line)
    return {} if where is None else {"notebook": {"cell": where[0], "line": where[1]}}


def _evidence_cells(trace: Trace, cause: Cause) -> dict[str, Any]:
    """Beside ``evidence_lines`` in a notebook: the same lines, in order, as cell and line."""
    if trace.notebook is None:
        return {}
    cells: list[dict[str, int] | None] = []
    for line in cause.evidence_lines:
        where = cell_line(trace.notebook, None, line)
        cells.append({"cell": where[0], "line": where[1]} if where else None)
    return {"evidence_cells": cells}


def _cause_fields(cause: Cause | None, trace: Trace | None = None) -> dict[str, Any]:
    if cause is None:
        return {"cause": None}
    return {
        "cause": cause.code,
        "explanation": cause.sentence,
        "fix": cause.fix,
        "evidence_lines": cause.evidence_lines,
        **(_evidence_cells(trace, cause) if trace is not None else {}),
        "other_causes": list(cause.others),
    }


def _value(trace: Trace, ref: int | None) -> tuple[Any, dict[str, Any] | None]:
    tensor = trace.tensors.get(ref) if ref is not None else None
    if tensor is None:
        return None, None
    if tensor.summary is not None:
        summary = tensor.summary
        return None, {
            "size": summary.size,
            "min": summary.min,
            "max": summary.max,
            "mean": summary.mean,
            "norm": summary.norm,
            "nan": summary.nan,
            "inf": summary.inf,
        }
    return tensor.data, None


def _nonfinite(value: Any, summary: dict[str, Any] | None) -> dict[str, int] | None:
    """How many NaN and infinite values a result holds (stored as ``"nan"``, ``"inf"``)."""
    if summary is not None:
        nan, inf = summary["nan"] or 0, summary["inf"] or 0
    else:
        flat = list(_flatten(value))
        nan = sum(1 for x in flat if x == "nan")
        inf = sum(1 for x in flat if x in ("inf", "-inf"))
    return {"nan": nan, "inf": inf} if nan or inf else None


def _flatten(data: Any) -> Any:
    if isinstance(data, list):
        for item in data:
            yield from _flatten(item)
    else:
        yield data


def _is_zero_fill(call: GradientCall, cause: Cause | None, ref: int | None) -> bool:
    """A result that is zeros only because ``unconnected_gradients=ZERO`` filled a missing one."""
    return call.unconnected_gradients == "zero" and cause is not None and ref is not None


def _nonfinite_fields(trace: Trace, why: NonFinite | None) -> dict[str, Any]:
    """Why a result holds NaN or Inf: the cause, and the op and line where it began."""
    if why is None:
        return {}
    return {
        "cause": why.cause.code,
        "explanation": why.cause.sentence,
        "fix": why.cause.fix,
        "op": why.op,
        "line": why.line,
        **_in_cell(trace, None, why.line),
        "evidence_lines": why.cause.evidence_lines,
        **_evidence_cells(trace, why.cause),
    }


def _result(
    trace: Trace,
    call: GradientCall,
    index: int,
    cause: Cause | None,
    why_nonfinite: NonFinite | None = None,
) -> dict[str, Any]:
    source = call.source_ids[index]
    ref = call.result_ids[index] if index < len(call.result_ids) else None
    value, summary = _value(trace, ref)
    entry: dict[str, Any] = {
        "source": label(trace, source),
        "value": value,
        "none": ref is None,
    }
    if summary is not None:
        entry["summary"] = summary
    nonfinite = _nonfinite(value, summary)
    if nonfinite is not None:
        entry["nonfinite"] = {**nonfinite, **_nonfinite_fields(trace, why_nonfinite)}
    if _is_zero_fill(call, cause, ref):
        entry["unconnected_zeros"] = True
    entry.update(_cause_fields(cause, trace))
    return entry


def _results(trace: Trace, call: GradientCall, why: CallExplanation | None) -> list[dict[str, Any]]:
    """One entry per source; none for a call that raised (it returned nothing)."""
    if call.error is not None:
        return []
    causes = why.results if why is not None else []
    nonfinite = why.nonfinite if why is not None else []
    return [
        _result(
            trace,
            call,
            i,
            causes[i] if i < len(causes) else None,
            nonfinite[i] if i < len(nonfinite) else None,
        )
        for i in range(len(call.source_ids))
    ]


def _error(
    trace: Trace, error: ErrorInfo | None, cause: Cause | None = None
) -> dict[str, Any] | None:
    if error is None:
        return None
    out: dict[str, Any] = {"type": error.type, "message": error.message, "line": error.line}
    out.update(_in_cell(trace, error.file, error.line))
    if cause is not None:
        out.update({"cause": cause.code, "explanation": cause.sentence, "fix": cause.fix})
        out["evidence_lines"] = cause.evidence_lines
        out.update(_evidence_cells(trace, cause))
    return out


def _backward_input(trace: Trace, step: StepCheck, item: InputCheck) -> dict[str, Any]:
    partial = item.partial
    tensorflow, summary = _value(trace, item.produced)
    names = names_of(trace, step, item)
    entry: dict[str, Any] = {
        "op": step.event.op_type,
        "line": step.event.line,
        **_in_cell(trace, step.event.file, step.event.line),
        "input": label(trace, item.input) if item.input is not None else None,
        "input_index": item.index,
        "upstream": data_of(trace, item.upstream),
        "upstream_partial": names.upstream,
        "local_partial": names.local or None,
        "gradient_partial": names.gradient,
        "contribution": names.contribution,
        "local_rule": partial.rule if partial else None,
        "local": partial.local if partial else None,
        "product": partial.product if partial else None,
        "summed_over_axes": list(partial.axes) if partial else [],
        "tensorflow": tensorflow,
        "check": item.check,
        "custom_gradient": step.event.custom,
    }
    if summary is not None:
        entry["tensorflow_summary"] = summary
    return entry


def _backward_steps(trace: Trace, steps: list[StepCheck]) -> list[dict[str, Any]]:
    """One entry per input of each backward step, in the order TensorFlow ran the steps."""
    return [_backward_input(trace, step, item) for step in steps for item in step.inputs]


def _call(
    trace: Trace, call: GradientCall, why: CallExplanation | None, steps: list[StepCheck]
) -> dict[str, Any]:
    return {
        "id": call.id,
        "tape": call.tape,
        "line": call.line,
        **_in_cell(trace, call.file, call.line),
        "method": call.method,
        "target": structure_label(trace, call.target),
        "unconnected_gradients": call.unconnected_gradients,
        "thread": call.thread,
        "error": _error(trace, call.error, why.error if why else None),
        "notes": [note.code for note in why.notes] if why else [],
        "note_texts": [note.sentence for note in why.notes] if why else [],
        "results": _results(trace, call, why),
        "backward_steps": _backward_steps(trace, steps),
    }


def _tape(trace: Trace, tape: Tape) -> dict[str, Any]:
    return {
        "id": tape.id,
        "line": tape.line,
        **_in_cell(trace, tape.file, tape.line),
        "persistent": tape.persistent,
        "watch_accessed_variables": tape.watch_accessed_variables,
        "watched": [label(trace, ref) for ref in recorded_watches(trace, tape)],
        "not_floating": [label(trace, ref) for ref in unrecorded_watches(trace, tape)],
        "parent": tape.parent,
        "thread": tape.thread,
    }


def _summarised(trace: Trace) -> dict[str, Any] | None:
    """Where detailed recording stopped (the budget was spent), or ``None``."""
    meta = trace.meta.get("summarised")
    if not isinstance(meta, dict):
        return None
    keys = ("reason", "tapes_in_detail", "ops_in_detail")
    return {key: meta.get(key) for key in keys}


def _names(value: Any) -> list[str]:
    return [str(name) for name in value] if isinstance(value, list) else []


def _functions(trace: Trace) -> dict[str, Any] | None:
    """How ``tf.function``s ran while recording and which ran how; ``None`` for older traces."""
    mode = trace.meta.get("functions")
    if mode not in ("eager", "compiled"):
        return None
    xla = _names(trace.meta.get("xla_functions"))
    compiled: list[str] = []
    for op in trace.ops.values():
        if op.function and op.function not in xla and op.function not in compiled:
            compiled.append(op.function)
    return {
        "mode": mode,
        "eager": _names(trace.meta.get("eager_functions")),
        "compiled": compiled,
        "xla": xla,
    }


def _internal_errors(trace: Trace) -> list[str]:
    """Errors of tapetui's own recorder (what it was recording there may be missing)."""
    errors = trace.meta.get("internal_errors")
    return [str(e) for e in errors] if isinstance(errors, list) else []


def _threads_seen_late(trace: Trace) -> list[str]:
    """Threads whose ops before their first tape were not recorded (not started by
    ``threading``)."""
    late = trace.meta.get("threads_seen_late")
    return [str(t) for t in late] if isinstance(late, list) else []


def _how_it_ran(trace: Trace) -> dict[str, Any]:
    """The scenario's arguments and module (only when it had them), and a notebook's cells."""
    out: dict[str, Any] = {}
    argv, module = trace.meta.get("argv"), trace.meta.get("module")
    if isinstance(argv, list) and argv:
        out["argv"] = [str(arg) for arg in argv]
    if isinstance(module, str):
        out["module"] = module
    if trace.notebook is not None:
        out["notebook"] = {
            "cells": len(trace.notebook.cells),
            "skipped": [
                {"cell": s.cell, "line": s.line, "text": s.text, "kind": s.kind}
                for s in trace.notebook.skipped
            ],
        }
    return out


def build_report(trace: Trace, backward_steps: bool = True) -> dict[str, Any]:
    """The report of ``trace`` in the documented JSON shape; without ``backward_steps`` (the
    text report, which does not print them) each call's list of them is left empty."""
    explanations = explain(trace)
    steps = steps_by_call(trace) if backward_steps else {}
    return {
        "scenario": trace.scenario,
        **_how_it_ran(trace),
        "status": trace.status,
        "exit_code": trace.exit_code,
        "stdout": trace.output("stdout"),
        "stderr": trace.output("stderr"),
        "error": _error(trace, trace.error, explain_error(trace)),
        "summarised": _summarised(trace),
        "threads_seen_late": _threads_seen_late(trace),
        "internal_errors": _internal_errors(trace),
        "functions": _functions(trace),
        "tapes": [_tape(trace, tape) for tape in trace.tapes.values()],
        "gradient_calls": [
            _call(trace, call, explanations.get(call.id), steps.get(call.id, []))
            for call in sorted(trace.gradient_calls.values(), key=lambda c: c.seq)
        ],
    }


def render_json(trace: Trace) -> str:
    """The report as JSON text (``tapetui.report.jsonout``: indented, one line per backward
    step)."""
    with no_collector_pauses():
        return dumps(build_report(trace))


@contextmanager
def no_collector_pauses() -> Iterator[None]:
    """Python's cycle collector off while a report is made: it would walk the whole loaded
    trace again and again (a third of a 100,000-op report's time) to free nothing, since a
    report makes no garbage cycles worth freeing early."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
