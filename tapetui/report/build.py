"""The report as plain data (the ``--json`` shape), built from a trace and its explanations."""

from __future__ import annotations

import json
from typing import Any

from tapetui.explain import CallExplanation, Cause, explain
from tapetui.trace import ErrorInfo, GradientCall, Tape, Trace
from tapetui.trace.labels import label, structure_label


def _cause_fields(cause: Cause | None) -> dict[str, Any]:
    if cause is None:
        return {"cause": None}
    return {
        "cause": cause.code,
        "explanation": cause.sentence,
        "fix": cause.fix,
        "evidence_lines": cause.evidence_lines,
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


def _result(trace: Trace, call: GradientCall, index: int, cause: Cause | None) -> dict[str, Any]:
    source = call.source_ids[index]
    ref = call.result_ids[index] if index < len(call.result_ids) else None
    value, summary = _value(trace, ref)
    entry: dict[str, Any] = {
        "source": label(trace, source),
        "value": value,
        "none": ref is None and call.error is None,
    }
    if summary is not None:
        entry["summary"] = summary
    nonfinite = _nonfinite(value, summary)
    if nonfinite is not None:
        entry["nonfinite"] = nonfinite
    if _is_zero_fill(call, cause, ref):
        entry["unconnected_zeros"] = True
    entry.update(_cause_fields(cause))
    return entry


def _error(error: ErrorInfo | None, cause: Cause | None = None) -> dict[str, Any] | None:
    if error is None:
        return None
    out: dict[str, Any] = {"type": error.type, "message": error.message, "line": error.line}
    if cause is not None:
        out.update({"cause": cause.code, "explanation": cause.sentence, "fix": cause.fix})
    return out


def _call(trace: Trace, call: GradientCall, why: CallExplanation | None) -> dict[str, Any]:
    causes = why.results if why is not None else []
    return {
        "id": call.id,
        "tape": call.tape,
        "line": call.line,
        "method": call.method,
        "target": structure_label(trace, call.target),
        "unconnected_gradients": call.unconnected_gradients,
        "error": _error(call.error, why.error if why else None),
        "notes": [note.code for note in why.notes] if why else [],
        "note_texts": [note.sentence for note in why.notes] if why else [],
        "results": [
            _result(trace, call, i, causes[i] if i < len(causes) else None)
            for i in range(len(call.source_ids))
        ],
    }


def _tape(trace: Trace, tape: Tape) -> dict[str, Any]:
    return {
        "id": tape.id,
        "line": tape.line,
        "persistent": tape.persistent,
        "watch_accessed_variables": tape.watch_accessed_variables,
        "watched": [label(trace, ref) for ref in tape.watched],
        "parent": tape.parent,
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


def build_report(trace: Trace) -> dict[str, Any]:
    """The report of ``trace`` in the documented JSON shape."""
    explanations = explain(trace)
    return {
        "scenario": trace.scenario,
        "status": trace.status,
        "exit_code": trace.exit_code,
        "stdout": trace.output("stdout"),
        "stderr": trace.output("stderr"),
        "error": _error(trace.error),
        "summarised": _summarised(trace),
        "functions": _functions(trace),
        "tapes": [_tape(trace, tape) for tape in trace.tapes.values()],
        "gradient_calls": [
            _call(trace, call, explanations.get(call.id))
            for call in sorted(trace.gradient_calls.values(), key=lambda c: c.seq)
        ],
    }


def render_json(trace: Trace) -> str:
    return json.dumps(build_report(trace), indent=2, ensure_ascii=False) + "\n"
