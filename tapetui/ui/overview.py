"""Per-tape numbers for the overview: each call's target value and each source's gradient norm."""

from __future__ import annotations

from dataclasses import dataclass, field

from tapetui.trace import Trace
from tapetui.trace.labels import label
from tapetui.ui.values import data_of, mean, norm


@dataclass
class TapeSummary:
    """One tape's first gradient call, reduced to numbers."""

    tape: int
    line: int | None
    call: int | None = None
    target: float | None = None
    """The target's value (its mean when it is not a scalar)."""
    norms: dict[str, float | None] = field(default_factory=dict)
    """Gradient norm per source name; ``None`` for a ``None`` gradient."""


def _value(trace: Trace, ref: int | None) -> float | None:
    data = data_of(trace, ref)
    if data is None and ref is not None and ref in trace.tensors:
        summary = trace.tensors[ref].summary
        return summary.mean if summary is not None else None
    return mean(data)


def _norm(trace: Trace, ref: int) -> float | None:
    """A gradient's L2 norm, from its value or, for a large tensor, from its summary."""
    data = data_of(trace, ref)
    tensor = trace.tensors.get(ref)
    if data is None and tensor is not None and tensor.summary is not None:
        return tensor.summary.norm
    return norm(data)


def summarize(trace: Trace) -> list[TapeSummary]:
    """One summary per tape, in the order the tapes were created."""
    summaries = {t.id: TapeSummary(t.id, t.line) for t in trace.tapes.values()}
    for call in trace.gradient_calls.values():
        summary = summaries.get(call.tape)
        if summary is None or summary.call is not None:
            continue
        summary.call = call.id
        summary.target = _value(trace, call.target_ids[0]) if call.target_ids else None
        for i, source in enumerate(call.source_ids):
            result = call.result_ids[i] if i < len(call.result_ids) else None
            summary.norms[label(trace, source)] = None if result is None else _norm(trace, result)
    return list(summaries.values())


def series(summaries: list[TapeSummary]) -> dict[str, list[float]]:
    """``target`` and ``|∇name|`` for each source, across tapes (missing values skipped)."""
    out: dict[str, list[float]] = {"target": [s.target for s in summaries if s.target is not None]}
    names = list(dict.fromkeys(n for s in summaries for n in s.norms))
    for name in names:
        out[f"|∇{name}|"] = [v for s in summaries if (v := s.norms.get(name)) is not None]
    return out
