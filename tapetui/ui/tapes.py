"""What the tapes pane says: each tape's watched sources and the gradient calls with results."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tapetui.explain.counting import plural
from tapetui.explain.dataflow import carries_gradient
from tapetui.explain.finite import nonfinite
from tapetui.explain.pyfunc_tapes import py_function_tape_words
from tapetui.explain.watches import dtype_of
from tapetui.trace import GradientCall, OpEvent, Tape, Trace, WatchEvent
from tapetui.trace.labels import label
from tapetui.ui.describe import Line, tape_events
from tapetui.ui.values import call_name, short, short_place, value_text

FULL_LISTING = 6
"""Up to this many tapes are all shown in full; beyond it only the current one is."""


def _watches(trace: Trace, tape: Tape) -> list[WatchEvent]:
    return [e for e in tape_events(trace, tape.id) if isinstance(e, WatchEvent)]


def _watch_lines(trace: Trace, tape: Tape) -> list[Line]:
    lines: list[Line] = []
    for event in _watches(trace, tape):
        how = "explicit" if event.explicit else "auto"
        where = short_place(trace, event.file, event.line)
        if event.error:
            lines.append((f"  watch() raised, {where}: {short(event.error, 40)}", "red"))
        if event.empty:
            lines.append((f"  watch([]) got nothing, {where}", "yellow"))
        for item in event.items:
            if item.status == "watched" and not _floating(trace, item.ref):
                # an older trace: TF lists an integer variable once read, but records none of it
                reason = f"{dtype_of(trace, item.ref or 0)} is not a floating-point dtype"
                lines.append((f"  ○ {item.label} ignored, {where}: {reason}", "yellow"))
            elif item.status == "watched":
                lines.append((f"  ◉ {item.label} ({how}, {where})", "green"))
            else:
                lines.append(
                    (f"  ○ {item.label} ignored, {where}: {item.reason or ''}".rstrip(), "yellow")
                )
    return lines


def _floating(trace: Trace, ref: int | None) -> bool:
    return ref is None or carries_gradient(dtype_of(trace, ref))


def watched_ids(trace: Trace, tape: Tape) -> set[int]:
    ids = set(tape.watched)
    for event in _watches(trace, tape):
        ids.update(i.ref for i in event.items if i.ref is not None and i.status == "watched")
    return ids


def accessed_not_watched(trace: Trace, tape: Tape) -> list[int]:
    """Variables read while the tape was open that it never watched."""
    if tape.enter_seq is None:
        return []
    end = tape.exit_seq if tape.exit_seq is not None else len(trace.events)
    watched = watched_ids(trace, tape)
    found: list[int] = []
    for event in trace.events[tape.enter_seq : end + 1]:
        if isinstance(event, OpEvent) and event.op_type == "ReadVariableOp" and event.inputs:
            ref = event.inputs[0]
            tensor = trace.tensors.get(ref)
            var = tensor.variable if tensor is not None and tensor.variable is not None else ref
            if var in trace.variables and var not in watched and var not in found:
                found.append(var)
    return found


def tape_lines(trace: Trace, tape: Tape) -> list[Line]:
    name = f" “{tape.label}”" if tape.label and tape.label != "tape" else ""
    where = f" · {short_place(trace, tape.file, tape.line)}" if tape.line else ""
    thread = f" · thread {tape.thread}" if tape.thread is not None else ""
    lines: list[Line] = [(f"▾ tape {tape.id}{name}{where}{thread}", "bold")]
    made = py_function_tape_words(trace, tape.id)
    if made is not None:  # a tape TensorFlow made, or one made in a tf.py_function
        lines.append((f"  {made}", "dim"))
    lines.append(("  persistent" if tape.persistent else "  one-shot (not persistent)", ""))
    mark = "✓" if tape.watch_accessed_variables else "✗ (off)"
    lines.append((f"  watches accessed {mark}", ""))
    lines += _watch_lines(trace, tape)
    for var in accessed_not_watched(trace, tape):
        frozen = "" if trace.variables[var].trainable else " (trainable=False)"
        lines.append((f"  ○ {label(trace, var)} accessed, not watched{frozen}", "yellow"))
    return lines


def _shown_calls(trace: Trace, tape: int | None) -> list[GradientCall]:
    return [c for c in trace.gradient_calls.values() if tape is None or c.tape == tape]


def _call_rows(trace: Trace, explanations: Mapping[int, Any], call: GradientCall) -> list[Line]:
    """One gradient call's line (two when it raised)."""
    where = short_place(trace, call.file, call.line)
    if call.error is not None:
        return [
            (f"✗ {call_name(trace, call)} raised {call.error.type}  {where}", "red"),
            (f"  {short(call.error.message, 40)}", "red"),
        ]
    values = [value_text(trace, r) for r in call.result_ids]
    missing = [i for i, r in enumerate(call.result_ids) if r is None]
    text = f"{call_name(trace, call)} = {short(', '.join(values), 24)}  {where}"
    if missing:
        causes = list(getattr(explanations.get(call.id), "results", []) or [])
        codes = {causes[i].code for i in missing if i < len(causes) and causes[i] is not None}
        return [(f"✗ {text}  {' '.join(sorted(codes))}".rstrip(), "red")]
    bad = [i for i, r in enumerate(call.result_ids) if nonfinite(trace, r)]
    if bad:  # NaN or Inf: marked as `report` marks it, with the cause of each
        whys = list(getattr(explanations.get(call.id), "nonfinite", []) or [])
        codes = {whys[i].cause.code for i in bad if i < len(whys) and whys[i] is not None}
        return [(f"! {text}  {' '.join(sorted(codes))}".rstrip(), "yellow")]
    return [(f"✓ {text}", "green")]


def call_lines(
    trace: Trace, explanations: Mapping[int, Any], tape: int | None = None
) -> list[Line]:
    lines: list[Line] = []
    for call in _shown_calls(trace, tape):
        lines += _call_rows(trace, explanations, call)
    return lines


Clicks = dict[int, dict[str, int]]
"""Line index → what clicking it selects: ``{"tape": id}`` or ``{"call": id}``."""


def tapes_pane_lines(
    trace: Trace, explanations: Mapping[int, Any], current: int | None
) -> list[Line]:
    """Every tape (or just the current one when there are many) and the gradient calls."""
    return tapes_pane(trace, explanations, current)[0]


def tapes_pane(
    trace: Trace, explanations: Mapping[int, Any], current: int | None
) -> tuple[list[Line], Clicks]:
    """The tapes pane's lines, and which of them a click selects a tape or a gradient call by."""
    tapes = list(trace.tapes.values())
    if not tapes:
        return [("no tape was created", "yellow")], {}
    many = len(tapes) > FULL_LISTING
    shown = [t for t in tapes if t.id == current] if many else tapes
    lines: list[Line] = []
    if many:
        position = next((i for i, t in enumerate(tapes) if t.id == current), None)
        where = (
            f"tape {position + 1} of {len(tapes)}"
            if position is not None
            else plural(len(tapes), "tape")
        )
        lines.append((f"{where}  ([ ] switch, v overview)", "dim"))
    shown = shown or tapes[:1]
    clicks: Clicks = {}
    for tape in shown:
        clicks[len(lines)] = {"tape": tape.id}
        lines += tape_lines(trace, tape)
    lines.append(("", ""))
    lines.append(("gradient calls", "bold"))
    # With many tapes, only the calls of the tape shown: all of them would be thousands of lines.
    calls = _shown_calls(trace, shown[0].id if many else None)
    for call in calls:
        rows = _call_rows(trace, explanations, call)
        clicks.update({len(lines) + i: {"call": call.id} for i in range(len(rows))})
        lines += rows
    return (lines if calls else [*lines, ("  none", "dim")]), clicks
