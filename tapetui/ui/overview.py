"""Per-tape numbers for the overview: each call's target value and each source's gradient norm."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from tapetui.explain.counting import plural
from tapetui.explain.finite import nonfinite
from tapetui.trace import GradientCall, Trace
from tapetui.trace.labels import label, structure_label
from tapetui.ui.values import data_of, mean, norm


@dataclass
class CallSummary:
    """One gradient call of a tape (or a tape that made none), reduced to numbers."""

    tape: int
    line: int | None
    """The call's line (the tape's line for a tape without calls)."""
    call: int | None = None
    target_name: str = ""
    """The target as the scenario named it (``loss``)."""
    target: float | None = None
    """The target's value (its mean when it is not a scalar)."""
    norms: dict[str, float | None] = field(default_factory=dict)
    """Gradient norm per source name; ``None`` for a ``None`` gradient."""
    first: bool = True
    """Whether this is the tape's first call (the series across tapes use those)."""
    nonfinite: bool = False
    """Whether a gradient the call returned holds NaN or Inf."""


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


def _call_summary(trace: Trace, call: GradientCall, first: bool) -> CallSummary:
    summary = CallSummary(call.tape, call.line, call.id, first=first)
    summary.target_name = structure_label(trace, call.target)
    summary.target = _value(trace, call.target_ids[0]) if call.target_ids else None
    for i, source in enumerate(call.source_ids):
        result = call.result_ids[i] if i < len(call.result_ids) else None
        summary.norms[label(trace, source)] = None if result is None else _norm(trace, result)
    summary.nonfinite = any(nonfinite(trace, r) for r in call.result_ids)
    return summary


def summarize(trace: Trace) -> list[CallSummary]:
    """Every gradient call of every tape, tapes in the order they were created and each tape's
    calls in the order they ran; a tape without calls has one row of its own."""
    calls: dict[int, list[GradientCall]] = {t: [] for t in trace.tapes}
    for call in sorted(trace.gradient_calls.values(), key=lambda c: c.seq):
        calls.setdefault(call.tape, []).append(call)
    rows: list[CallSummary] = []
    for tape, made in calls.items():
        if not made:
            line = trace.tapes[tape].line if tape in trace.tapes else None
            rows.append(CallSummary(tape, line))
        rows += [_call_summary(trace, call, i == 0) for i, call in enumerate(made)]
    return rows


@dataclass(frozen=True)
class Curve:
    """One series over the tapes: each tape's first call's target value, or a source's gradient
    norm (missing values skipped, and NaN/Inf: a plot cannot draw them, and the title names the
    first call they appear in)."""

    name: str
    """The target's name (``loss``), or ``|∇name|`` for a source's gradient norm."""
    tapes: list[int] = field(default_factory=list)
    """The tape of each value (the overview's ``tape`` column)."""
    values: list[float] = field(default_factory=list)
    gradient: bool = False
    """Whether the values are gradient norms (else the target's values)."""


def _add(curves: dict[str, Curve], name: str, tape: int, value: float | None, grad: bool) -> None:
    curve = curves.setdefault(name, Curve(name, gradient=grad))
    if value is not None and math.isfinite(value):
        curve.tapes.append(tape)
        curve.values.append(value)


def curves(summaries: list[CallSummary]) -> list[Curve]:
    """The target of each tape's first call, by the target's name, then each source's gradient
    norm (a source whose gradients were all ``None`` has an empty curve)."""
    firsts = [s for s in summaries if s.first and s.call is not None]
    targets: dict[str, Curve] = {}
    for s in firsts:
        if s.target is not None:
            _add(targets, s.target_name, s.tape, s.target, False)
    norms: dict[str, Curve] = {}
    for name in dict.fromkeys(n for s in firsts for n in s.norms):
        norms[name] = Curve(f"|∇{name}|", gradient=True)
        for s in firsts:
            _add(norms, name, s.tape, s.norms.get(name), True)
    return [*targets.values(), *norms.values()]


def series(summaries: list[CallSummary]) -> dict[str, list[float]]:
    """Each tape's first call across tapes: its target's value under the target's name and
    ``|∇name|`` for each source (the values of :func:`curves`)."""
    out: dict[str, list[float]] = {}
    for curve in curves(summaries):
        out.setdefault(curve.name, []).extend(curve.values)
    return out


def first_nonfinite(summaries: list[CallSummary]) -> int | None:
    """The row of the first gradient call (in the order they ran) whose gradients hold NaN or
    Inf; ``None`` when every gradient is finite."""
    ran = sorted((s.call, i) for i, s in enumerate(summaries) if s.call is not None)
    return next((i for _, i in ran if summaries[i].nonfinite), None)


def title(summaries: list[CallSummary]) -> str:
    """``1 tape, 2 gradient calls``, and the first call with a NaN/Inf gradient if any."""
    tapes = len({s.tape for s in summaries})
    calls = sum(1 for s in summaries if s.call is not None)
    text = f"{plural(tapes, 'tape')}, {plural(calls, 'gradient call')}"
    row = first_nonfinite(summaries)
    if row is None:
        return text
    first = summaries[row]
    number = 1 + sum(1 for s in summaries if s.call is not None and s.call < (first.call or 0))
    where = f", line {first.line}" if first.line is not None else ""
    return f"{text} · first non-finite gradient: call {number}{where}"


LOG_SPAN = 100.0
"""Values spanning more than this factor (two orders of magnitude) are plotted on a log scale."""


def scaled(values: list[float]) -> tuple[list[float], str]:
    """The values to plot and their scale: ``log`` (base 10) when all are positive and span more
    than :data:`LOG_SPAN`, so a loss falling from 58.5 to 0.22 shows its learning; else
    ``linear``."""
    if values and min(values) > 0 and max(values) / min(values) > LOG_SPAN:
        return [math.log10(v) for v in values], "log"
    return list(values), "linear"


def scale_of(shown: list[Curve]) -> str:
    """The scale one axis draws ``shown`` on: ``log`` when their values together span more than
    :data:`LOG_SPAN` (all positive), else ``linear`` (the rule of :func:`scaled`)."""
    return scaled([v for curve in shown for v in curve.values])[1]
