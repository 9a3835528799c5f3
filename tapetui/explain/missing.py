"""The gradients a trace is missing, each with its cause: the answer to "why None" as plain data
and as text, for the public API (``trace.missing_gradients()``, ``tapetui.explain(trace)``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from tapetui.explain.causes import Cause
from tapetui.explain.explainer import explain_call
from tapetui.trace.display import DisplayText
from tapetui.trace.labels import label, structure_label
from tapetui.trace.model import GradientCall, Trace
from tapetui.trace.printable import printable


@dataclass(frozen=True)
class MissingGradient:
    """One gradient that came out ``None`` (or zeros only because the call asked for
    ``unconnected_gradients=ZERO``), and why."""

    call: int
    """The gradient call's id (``tapetui report`` numbers calls the same way)."""
    file: str | None
    line: int | None
    """Where the scenario asked for it."""
    target: str
    source: str
    """The target and the source in the scenario's own names (``loss``, ``W``)."""
    cause: str | None
    """The cause code (``outside_tape``, ``not_watched``…; README, "Cause codes"); ``None`` only
    when the explainer could not tell."""
    sentence: str
    """The cause in plain words, naming the scenario's variables and lines."""
    fix: str
    evidence_lines: list[int] = field(default_factory=list)
    """The scenario lines that prove the cause, in order."""
    zeros: bool = False
    """True when the result is zeros filled in by ``unconnected_gradients=ZERO``, not ``None``."""

    @property
    def name(self) -> str:
        """``dloss/dW``: the gradient as the report names it."""
        return f"d{self.target}/d{self.source}"


def _missing(trace: Trace, call: GradientCall, index: int, cause: Cause | None) -> MissingGradient:
    ref = call.result_ids[index] if index < len(call.result_ids) else None
    return MissingGradient(
        call=call.id,
        file=call.file,
        line=call.line,
        target=structure_label(trace, call.target),
        source=label(trace, call.source_ids[index]),
        cause=cause.code if cause else None,
        sentence=cause.sentence if cause else "the explainer found no cause for this None",
        fix=cause.fix if cause else "",
        evidence_lines=cause.evidence_lines if cause else [],
        zeros=ref is not None,
    )


def _is_missing(call: GradientCall, index: int, cause: Cause | None) -> bool:
    ref = call.result_ids[index] if index < len(call.result_ids) else None
    return ref is None or (call.unconnected_gradients == "zero" and cause is not None)


def missing_gradients(trace: Trace) -> list[MissingGradient]:
    """Every ``None`` gradient of ``trace`` in the order the scenario asked for them, with its
    cause; a call that raised returned nothing and is not listed (its error is in the report)."""
    found: list[MissingGradient] = []
    for call in sorted(trace.gradient_calls.values(), key=lambda c: c.seq):
        if call.error is not None:
            continue
        causes = explain_call(trace, call.id).results
        for index in range(len(call.source_ids)):
            cause = causes[index] if index < len(causes) else None
            if _is_missing(call, index, cause):
                found.append(_missing(trace, call, index, cause))
    return found


def _source_line(trace: Trace, file: str | None, line: int) -> str:
    lines = trace.sources.get(file or trace.scenario, "").splitlines()
    return printable(lines[line - 1].strip()) if 0 < line <= len(lines) else ""


def _item_text(trace: Trace, item: MissingGradient) -> list[str]:
    value = "zeros (unconnected_gradients=ZERO)" if item.zeros else "None"
    where = f"line {item.line}" if item.line is not None else "a line outside the scenario"
    text = [
        printable(f"{item.name} = {value} · {where} · cause {item.cause or 'unknown'}"),
        f"  {printable(item.sentence)}",
    ]
    if item.fix:
        text.append(f"  fix: {printable(item.fix)}")
    for line in item.evidence_lines:
        text.append(f"  line {line}: {_source_line(trace, item.file, line)}".rstrip())
    return text


def why_text(trace: Trace) -> DisplayText:
    """Why each gradient of ``trace`` is ``None``, in the report's words, with the evidence
    lines quoted from the scenario; one sentence when none is missing."""
    missing = missing_gradients(trace)
    if not missing:
        calls = len(trace.gradient_calls)
        return DisplayText(
            f"no gradient is None ({calls} gradient call{'s' if calls != 1 else ''})\n"
        )
    lines: list[str] = []
    for item in missing:
        lines += _item_text(trace, item)
    return DisplayText("\n".join(lines) + "\n")
