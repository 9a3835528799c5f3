"""After a scenario is recorded again (``--watch``): where the cursor goes, and what changed in
the gradient results, compared by place rather than by ids (ids differ from run to run).

Plain Python on traces and steps, tested without Textual.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import NamedTuple

from tapetui.trace import GradientCall, Trace
from tapetui.trace.labels import label, structure_label
from tapetui.ui.steps import Step
from tapetui.ui.values import call_name, value_text

SHOWN_CHANGES = 3
"""Changes the status line names before it says how many more there are."""


class Place(NamedTuple):
    """Where a step is, in terms that survive a re-record: its line, its kind, and which of the
    steps of that kind on that line it is (the second ``Mul`` of line 14 is occurrence 1)."""

    file: str | None
    line: int | None
    kind: str
    occurrence: int


def place_of(steps: list[Step], index: int) -> Place | None:
    """The place of ``steps[index]`` (``None`` when there is no such step)."""
    if not 0 <= index < len(steps):
        return None
    step = steps[index]
    earlier = sum(
        1
        for other in steps[:index]
        if (other.file, other.line, other.kind) == (step.file, step.line, step.kind)
    )
    return Place(step.file, step.line, step.kind, earlier)


def find_place(place: Place, steps: list[Step], fallback: int = 0) -> int:
    """The index of the step at ``place``; else the nearest step of the same file (closest
    line, then the same kind, then the first); else ``fallback`` kept within the steps."""
    seen = 0
    for step in steps:
        if (step.file, step.line, step.kind) == place[:3]:
            if seen == place.occurrence:
                return step.index
            seen += 1
    if place.line is not None:
        same_file = [s for s in steps if s.file == place.file and s.line is not None]
        if same_file:
            best = min(
                same_file,
                key=lambda s: (abs((s.line or 0) - (place.line or 0)), s.kind != place.kind),
            )
            return best.index
    return max(0, min(fallback, len(steps) - 1))


class CallPlace(NamedTuple):
    """Where a gradient call is, in terms that survive a re-record: its file, line and names,
    and which of the calls so placed it is (a loop asks the same call several times)."""

    file: str | None
    line: int | None
    name: str
    """``dz/dx``, as :func:`~tapetui.ui.values.call_name` says it."""
    occurrence: int


def _call_places(trace: Trace) -> list[tuple[int, CallPlace]]:
    seen: Counter[tuple[str | None, int | None, str]] = Counter()
    places = []
    for call in sorted(trace.gradient_calls.values(), key=lambda c: c.seq):
        base = (call.file, call.line, call_name(trace, call))
        places.append((call.id, CallPlace(*base, seen[base])))
        seen[base] += 1
    return places


def call_place(trace: Trace, call: int) -> CallPlace | None:
    """The place of gradient call ``call`` of ``trace`` (``None`` when there is no such call)."""
    return next((place for id_, place in _call_places(trace) if id_ == call), None)


def find_call(place: CallPlace, trace: Trace) -> int | None:
    """The id of the call of ``trace`` at ``place``; else (its line moved) the same occurrence of
    a call of the same file and names; else ``None``: the call is gone."""
    places = _call_places(trace)
    found = next((id_ for id_, p in places if p == place), None)
    if found is not None:
        return found
    moved = [id_ for id_, p in places if (p.file, p.name) == (place.file, place.name)]
    return moved[place.occurrence] if place.occurrence < len(moved) else None


class Result(NamedTuple):
    """One gradient result, as a re-record compares it."""

    line: int | None
    name: str
    """``dz/dx``: the target and source in the scenario's names."""
    value: str
    """``8.0``, ``None``, or ``raised TypeError`` for a call that raised."""


def results_of(trace: Trace) -> list[Result]:
    """Every gradient result of ``trace``, in the order the scenario asked for them."""
    found: list[Result] = []
    for call in sorted(trace.gradient_calls.values(), key=lambda c: c.seq):
        found += _call_results(trace, call)
    return found


def _call_results(trace: Trace, call: GradientCall) -> list[Result]:
    target = structure_label(trace, call.target)
    if call.error is not None:
        sources = structure_label(trace, call.sources)
        return [Result(call.line, f"d{target}/d{sources}", f"raised {call.error.type}")]
    results = []
    for index, source in enumerate(call.source_ids):
        ref = call.result_ids[index] if index < len(call.result_ids) else None
        name = f"d{target}/d{label(trace, source)}"
        results.append(Result(call.line, name, value_text(trace, ref)))
    return results


def _keyed(results: Iterable[Result], by_line: bool) -> dict[tuple[object, ...], Result]:
    """Each result under (line,) name and occurrence: the same name may be asked several times."""
    counts: Counter[tuple[object, ...]] = Counter()
    keyed: dict[tuple[object, ...], Result] = {}
    for result in results:
        base = (result.line, result.name) if by_line else (result.name,)
        keyed[(*base, counts[base])] = result
        counts[base] += 1
    return keyed


def gradient_changes(before: Trace, after: Trace) -> list[str]:
    """``dz/dx: None → 8.0`` for each result that changed; results are matched by line and
    names first, then (for lines that moved) by names alone; ``new`` and ``gone`` for the rest."""
    old, new = results_of(before), results_of(after)
    old_by_line, new_by_line = _keyed(old, True), _keyed(new, True)
    same = old_by_line.keys() & new_by_line.keys()
    pairs = [(old_by_line[key], new_by_line[key]) for key in same]
    old_rest = _keyed((r for k, r in old_by_line.items() if k not in same), False)
    new_rest = _keyed((r for k, r in new_by_line.items() if k not in same), False)
    pairs += [(old_rest[key], new_rest[key]) for key in old_rest.keys() & new_rest.keys()]
    order = {id(result): position for position, result in enumerate(new)}
    changes = [
        (order[id(after_)], f"{after_.name}: {before_.value} → {after_.value}")
        for before_, after_ in pairs
        if before_.value != after_.value
    ]
    changes += [
        (order[id(r)], f"{r.name}: new, {r.value}")
        for key, r in new_rest.items()
        if key not in old_rest
    ]
    changes.sort()
    gone = [f"{r.name}: gone" for key, r in old_rest.items() if key not in new_rest]
    return [text for _, text in changes] + gone


def changes_sentence(before: Trace, after: Trace) -> str:
    """What the status line says changed: a few changes and how many more, or that none did."""
    changes = gradient_changes(before, after)
    if not changes:
        return "no change in the gradients"
    shown = "; ".join(changes[:SHOWN_CHANGES])
    more = len(changes) - SHOWN_CHANGES
    return shown + (f"; {more} more" if more > 0 else "")
