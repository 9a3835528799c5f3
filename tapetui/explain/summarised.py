"""Gradient calls recorded after the detail budget was spent (``meta.summarised``).

Their ops were not recorded, so there is no dataflow to explain a ``None`` with. A training loop
usually repeats one mistake every step, so such a ``None`` is explained by the last call recorded
in detail that ran on the same line, asked for as many sources and got ``None`` for the same
one; failing that, it says the call was summarised and how to record it in detail.
"""

from __future__ import annotations

import weakref

from tapetui.explain.causes import CallExplanation, Cause, Evidence
from tapetui.explain.counting import plural
from tapetui.trace.labels import label
from tapetui.trace.model import GradientCall, Trace

_Key = tuple[str | None, int | None, str, int]
"""A call's position: file, line, method, and how many sources."""

SUMMARISED = "not_recorded_in_detail"
"""The cause code of a None that only a more detailed recording could explain."""


def summarised_from(trace: Trace) -> int | None:
    """The first timeline position of the summarised part, or ``None`` when all is detailed."""
    meta = trace.meta.get("summarised")
    start = meta.get("from_seq") if isinstance(meta, dict) else None
    return start if isinstance(start, int) and not isinstance(start, bool) else None


def detail_spent(trace: Trace) -> str:
    """What was recorded in detail before the run was summarised: ``the first 10 tapes``."""
    meta = trace.meta.get("summarised")
    meta = meta if isinstance(meta, dict) else {}
    reason = meta.get("reason")
    if reason == "ops":
        return f"the first {plural(meta.get('ops_in_detail'), 'op')}"
    spent = f"the first {plural(meta.get('tapes_in_detail'), 'tape')}"
    if reason == "repeats":
        repeats = (trace.meta.get("budget") or {}).get("repeats")
        return f"{spent} (a loop's first {repeats} steps)"
    return spent


BUDGET_OPTIONS = "--budget-tapes N, --budget-repeats N, --budget-ops N; 0 is no limit"
"""The options that record more in detail, as a fix says them."""


def is_summarised(trace: Trace, call: GradientCall) -> bool:
    start = summarised_from(trace)
    return start is not None and call.seq >= start


class DetailedCalls:
    """The calls recorded in detail, by where they ran, and their explanations once made."""

    def __init__(self, trace: Trace) -> None:
        self.trace = weakref.ref(trace)
        self.calls = len(trace.gradient_calls)
        self.latest: dict[_Key, int] = {}
        for other in sorted(trace.gradient_calls.values(), key=lambda c: c.seq):
            if not is_summarised(trace, other):
                self.latest[_key(other)] = other.id
        self.explained: dict[int, CallExplanation] = {}
        """Explanations of detailed calls, made once however many summarised calls cite them."""

    def same_call(self, call: GradientCall) -> int | None:
        """The latest call recorded in detail on ``call``'s line, asking for as many sources."""
        return self.latest.get(_key(call))


_index: dict[int, DetailedCalls] = {}


def detailed_calls(trace: Trace) -> DetailedCalls:
    """The trace's index, built once (and again if calls were added); only the latest trace's
    is kept, as for the dataflow."""
    cached = _index.get(id(trace))
    if cached is None or cached.trace() is not trace or cached.calls != len(trace.gradient_calls):
        _index.clear()
        cached = _index[id(trace)] = DetailedCalls(trace)
    return cached


def _key(call: GradientCall) -> _Key:
    # By position, not id: a loop may watch a new tensor each step on the same line.
    return (call.file, call.line, call.method, len(call.source_ids))


def carried_over(earlier: GradientCall, cause: Cause) -> Cause:
    """``cause`` of a detailed call, said of a later summarised call on the same line."""
    return Cause(
        cause.code,
        f"As in the call recorded in detail on tape {earlier.tape} (this one ran after the "
        f"recording budget was spent): {cause.sentence}",
        cause.fix,
        list(cause.evidence),
        list(cause.others),
    )


def not_in_detail(trace: Trace, call: GradientCall, source: int) -> Cause:
    """A ``None`` in a summarised call that no detailed call explains."""
    return Cause(
        SUMMARISED,
        f"The gradient of `{label(trace, source)}` is None, but this call ran after "
        f"{detail_spent(trace)} were recorded in detail, so its ops were not recorded and "
        "there is no dataflow to explain it with.",
        f"Record again with a larger budget ({BUDGET_OPTIONS}) or stop the loop earlier.",
        [Evidence(call.file, call.line, "gradient call recorded in summary only", call.seq)],
    )
