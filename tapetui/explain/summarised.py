"""Gradient calls recorded after the detail budget was spent (``meta.summarised``).

Their ops were not recorded, so there is no dataflow to explain a ``None`` with. A training loop
usually repeats one mistake every step, so such a ``None`` is explained by the last call recorded
in detail that ran on the same line, asked for the same sources and also got ``None`` for this
one; failing that, it says the call was summarised and how to record it in detail.
"""

from __future__ import annotations

import weakref

from tapetui.explain.causes import Cause, Evidence
from tapetui.trace.labels import label
from tapetui.trace.model import GradientCall, Trace

SUMMARISED = "not_recorded_in_detail"
"""The cause code of a None that only a more detailed recording could explain."""


def summarised_from(trace: Trace) -> int | None:
    """The first timeline position of the summarised part, or ``None`` when all is detailed."""
    meta = trace.meta.get("summarised")
    start = meta.get("from_seq") if isinstance(meta, dict) else None
    return start if isinstance(start, int) and not isinstance(start, bool) else None


def is_summarised(trace: Trace, call: GradientCall) -> bool:
    start = summarised_from(trace)
    return start is not None and call.seq >= start


_index: dict[int, tuple[weakref.ref[Trace], int, dict[tuple, int]]] = {}


def same_call_in_detail(trace: Trace, call: GradientCall) -> GradientCall | None:
    """The latest call recorded in detail on ``call``'s line, asking for as many sources."""
    cached = _index.get(id(trace))
    if cached is None or cached[0]() is not trace or cached[1] != len(trace.gradient_calls):
        latest: dict[tuple, int] = {}
        for other in sorted(trace.gradient_calls.values(), key=lambda c: c.seq):
            if not is_summarised(trace, other):
                latest[_key(other)] = other.id
        _index.clear()  # only the latest trace's, as for the dataflow
        cached = _index[id(trace)] = (weakref.ref(trace), len(trace.gradient_calls), latest)
    found = cached[2].get(_key(call))
    return trace.gradient_calls.get(found) if found is not None else None


def _key(call: GradientCall) -> tuple:
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
    meta = trace.meta.get("summarised") or {}
    tapes = meta.get("tapes_in_detail")
    spent = f"the first {tapes} tapes" if meta.get("reason") == "tapes" else "the detailed ops"
    return Cause(
        SUMMARISED,
        f"The gradient of `{label(trace, source)}` is None, but this call ran after {spent} "
        "were recorded in detail, so its ops were not recorded and there is no dataflow to "
        "explain it with.",
        "Record again with a larger budget (--budget-tapes N, --budget-ops N; 0 is unlimited) "
        "or stop the loop earlier.",
        [Evidence(call.file, call.line, "gradient call recorded in summary only", call.seq)],
    )
