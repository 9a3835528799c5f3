"""The why pane: every missing gradient, failed call or NaN/Inf gradient with its cause,
evidence and fix."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from tapetui.trace import GradientCall, Trace
from tapetui.trace.labels import label
from tapetui.ui.describe import Line, source_line
from tapetui.ui.values import call_name, short_place

try:
    from tapetui.explain import explain_call, explain_error
    from tapetui.explain.errors import optimizer_error
    from tapetui.explain.nonfinite import counts
except ImportError:  # the explainer is optional: without it the UI shows results without causes
    explain_call = explain_error = optimizer_error = counts = None  # type: ignore[assignment]


class Explanations(Mapping[int, Any]):
    """The explainer's answer for each gradient call, worked out when first looked up.

    The debugger shows one call at a time, so a trace with thousands of calls opens without
    explaining them all. A call the explainer fails on maps to ``None``: a bug in the explainer
    must not take the debugger down.
    """

    def __init__(self, trace: Trace) -> None:
        self.trace = trace
        self._known: dict[int, Any] = {}
        self._extra: dict[str, Any] = {}

    def __getitem__(self, call_id: int) -> Any:
        if call_id not in self._known:
            if call_id not in self.trace.gradient_calls:
                raise KeyError(call_id)
            self._known[call_id] = self._explain(call_id)
        return self._known[call_id]

    def _explain(self, call_id: int) -> Any:
        if explain_call is None:
            return None
        try:
            return explain_call(self.trace, call_id)
        except Exception:  # see the class docstring
            return None

    @property
    def scenario_error(self) -> Any:
        """Why the scenario itself raised (an optimizer given no gradients), or ``None``."""
        if "error" not in self._extra:
            try:
                found = explain_error(self.trace) if explain_error is not None else None
                self._extra["error"] = found
            except Exception:  # see the class docstring
                self._extra["error"] = None
        return self._extra["error"]

    def __iter__(self) -> Iterator[int]:
        return iter(self.trace.gradient_calls)

    def __len__(self) -> int:
        return len(self.trace.gradient_calls)


def explanations_for(trace: Trace) -> Explanations:
    """Each gradient call's explanation (``None`` when the explainer is missing or fails)."""
    return Explanations(trace)


@dataclass(frozen=True)
class Missing:
    """A ``None`` gradient (``index`` is the source's position) or a call that raised; its cause
    is worked out when first shown, so a trace of thousands of them opens without explaining
    them all."""

    call: int
    index: int | None
    explanations: Mapping[int, Any] = field(repr=False, compare=False)
    scenario: bool = False
    """The scenario's own error, explained through the call (an optimizer given no gradients)."""
    nonfinite: bool = False
    """Not missing: the gradient is there but holds NaN or Inf."""

    @property
    def cause(self) -> Any:
        if self.scenario:
            return getattr(self.explanations, "scenario_error", None)
        if self.nonfinite:
            return getattr(self.why_nonfinite, "cause", None)
        return _cause_of(self.explanations.get(self.call), self.index)

    @property
    def why_nonfinite(self) -> Any:
        """The explainer's ``NonFinite`` for a NaN/Inf gradient, else ``None``."""
        if not self.nonfinite or self.index is None:
            return None
        found = list(getattr(self.explanations.get(self.call), "nonfinite", []) or [])
        return found[self.index] if self.index < len(found) else None

    @property
    def step(self) -> int | None:
        """The timeline position of the backward step that first made the NaN/Inf."""
        return getattr(self.why_nonfinite, "step", None)


def _cause_of(explanation: Any, index: int | None) -> Any:
    """The cause for one source (``index``), or for the error when ``index`` is ``None``."""
    if index is None:
        return getattr(explanation, "error", None)
    causes = list(getattr(explanation, "results", []) or [])
    return causes[index] if index < len(causes) else None


def _may_miss(call: GradientCall) -> bool:
    """Whether a call can have a missing gradient: it raised, returned a None, or was asked for
    zeros instead of None (the only other way the explainer finds a cause)."""
    return call.error is not None or None in call.result_ids or call.unconnected_gradients == "zero"


def missing_gradients(trace: Trace, explanations: Mapping[int, Any]) -> list[Missing]:
    """Every missing gradient and failed call, in call order."""
    found: list[Missing] = []
    raised = optimizer_error(trace) if optimizer_error is not None else None
    if raised is not None and raised.call in trace.gradient_calls:
        found.append(Missing(raised.call, None, explanations, scenario=True))
    for call in trace.gradient_calls.values():
        bad = _nonfinite_results(trace, call)
        if not _may_miss(call):
            found += [Missing(call.id, i, explanations, nonfinite=True) for i in bad]
            continue  # explaining it would find no missing gradient to show
        if call.error is not None:
            found.append(Missing(call.id, None, explanations))
            continue
        for i, result in enumerate(call.result_ids):
            # Missing: None, or zeros asked for instead of None that the explainer finds a cause
            # for (it looks for one only then).
            zeros = call.unconnected_gradients == "zero"
            if result is None or (zeros and _cause_of(explanations.get(call.id), i) is not None):
                found.append(Missing(call.id, i, explanations))
            elif i in bad:
                found.append(Missing(call.id, i, explanations, nonfinite=True))
    return found


def _nonfinite_results(trace: Trace, call: GradientCall) -> list[int]:
    """The positions of the call's results that hold NaN or Inf (from their stored values)."""
    if counts is None or call.error is not None:
        return []
    return [
        i for i, ref in enumerate(call.result_ids) if ref is not None and any(counts(trace, ref))
    ]


def evidence_lines(missing: Missing | None, file: str | None) -> frozenset[int]:
    cause = None if missing is None else missing.cause
    if cause is None:
        return frozenset()
    return frozenset(
        e.line for e in cause.evidence if e.line is not None and e.file in (None, file)
    )


def _title(trace: Trace, missing: Missing) -> str:
    call = trace.gradient_calls[missing.call]
    where = f" ({trace.line_words(call.line, call.file)})" if call.line is not None else ""
    if missing.scenario and trace.error is not None:
        raised = trace.error
        line = f" ({trace.line_words(raised.line, raised.file)})" if raised.line is not None else ""
        return f"why did the optimizer raise {trace.error.type}?{line}"
    if missing.index is None:
        error = call.error.type if call.error else "an error"
        return f"why did {call_name(trace, call)} raise {error}?{where}"
    source = label(trace, call.source_ids[missing.index])
    target = label(trace, call.target_ids[0]) if call.target_ids else "target"
    if missing.nonfinite and counts is not None:
        nan, _ = counts(trace, call.result_ids[missing.index])
        return f"why is d{target}/d{source} {'NaN' if nan else 'Inf'}?{where}"
    return f"why is d{target}/d{source} None?{where}"


def pane_title(trace: Trace, missing: list[Missing], position: int) -> str:
    """The why pane's border title: what the result shown is (``why NaN``, ``why None`` …)."""
    if not missing:
        return "why None"
    item = missing[position % len(missing)]
    if item.index is None or (item.scenario and trace.error is not None):
        return "why it raised"
    if item.nonfinite and counts is not None:
        try:
            ref = trace.gradient_calls[item.call].result_ids[item.index]
        except (KeyError, IndexError):  # a damaged trace: the pane's lines say so
            return "why"
        return "why NaN" if counts(trace, ref)[0] else "why Inf"
    return "why None"


def _ending(trace: Trace) -> str:
    """``the scenario raised ValueError on line 7`` when it did not finish, else ``""``."""
    error = trace.error
    if trace.status == "raised" and error is not None:
        where = f" {trace.on_line_words(error.line, error.file)}" if error.line is not None else ""
        return f"the scenario raised {error.type}{where}"
    if trace.status in ("died", "timeout", "cancelled"):
        return {
            "died": "the scenario died",
            "timeout": "the scenario was stopped after the time limit",
        }.get(trace.status, "the scenario was cancelled")
    return ""


def _nothing_missing(trace: Trace) -> list[Line]:
    ending = _ending(trace)
    if not trace.gradient_calls:
        before = f": {ending} before any" if ending else ""
        return [(f"no gradient call ran{before}, so there is no gradient to explain", "yellow")]
    text = "every gradient call returned a value for every source"
    if ending:
        return [(text, "green"), (f"then {ending}", "yellow")]
    return [(text, "green")]


def _first_nonfinite(trace: Trace, item: Missing) -> list[Line]:
    """Where the NaN/Inf began: the op and line of the backward step marked in the timeline."""
    why = item.why_nonfinite
    if why is None or why.op is None:
        return []
    where = f" ({trace.line_words(why.line)})" if why.line is not None else ""
    marked = " · the current step" if why.step is not None else ""
    return [("", ""), (f"first non-finite: {why.op}{where}{marked}", "bold")]


def why_lines(trace: Trace, missing: list[Missing], position: int) -> list[Line]:
    """The explanation of ``missing[position]``."""
    if not missing:
        return _nothing_missing(trace)
    item = missing[position % len(missing)]
    lines: list[Line] = [
        (_title(trace, item), "bold"),
        (f"{position % len(missing) + 1} of {len(missing)} · w next", "dim"),
    ]
    cause = item.cause
    call = trace.gradient_calls[item.call]
    if item.scenario and trace.error is not None:
        lines.append((f"{trace.error.type}: {trace.error.message}", "red"))
    elif call.error is not None:
        lines.append((f"{call.error.type}: {call.error.message}", "red"))
    if cause is None:
        return [*lines, ("", ""), ("no explanation available for this one", "yellow")]
    lines += [("", ""), (f"cause: {cause.code}", "bold red"), (cause.sentence, "")]
    lines += _first_nonfinite(trace, item)
    for note in getattr(item.explanations.get(item.call), "notes", None) or []:
        if getattr(note, "code", None) == "missing_gradients_warning":  # the optimizer's warning
            lines += [("", ""), (f"note: {note.code}", "bold"), (note.sentence, "yellow")]
    if cause.evidence:
        lines += [("", ""), ("evidence", "bold")]
        for ev in cause.evidence:
            where = short_place(trace, ev.file, ev.line) or "  "
            code = source_line(trace, ev.file, ev.line)
            lines.append((f"{where:>5}  {ev.text or code}", "yellow"))
    lines += [("", ""), ("fix", "bold"), (cause.fix, "green")]
    if cause.others:
        lines.append((f"also: {', '.join(cause.others)}", "dim"))
    return lines
