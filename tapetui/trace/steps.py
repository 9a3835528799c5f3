"""The summarised part of a run as compact rows: how the recorder sends its training steps.

Past the detail budget a step is a tape entered and exited and a gradient call with its values.
Sending those as tape, tensor, call and event records costs the recorder more than TensorFlow
spends on a small step, so it sends rows instead, many steps to one ``steps`` stream record::

    {"steps": {"files": ["train.py"], "rows": [[0, …], [1, …], [2, …]]}}

``apply_steps`` turns them into the same tapes, tensors, gradient calls and events the detailed
part has, so nothing downstream tells the two apart. ``file`` below is an index into ``files``.

- enter: ``[0, seq, tape, file, line, persistent, watch_accessed_variables, parent]``
- exit: ``[1, seq, tape, file, line, watched]``
- call: ``[2, seq, call, tape, method, file, line, target, sources, output_gradients,
  unconnected_gradients, inside_context, results, error, tensors]``, where ``target``,
  ``sources``, ``output_gradients`` and ``results`` are structures of ids, ``error`` is
  ``null`` or ``[type, message]``, and ``tensors`` the values among them:
  ``[id, dtype, shape, data, summary, name]`` with ``summary`` ``null`` or
  ``[size, preview, min, max, mean, nan, inf, norm]``.

An enter or call row made on a thread other than the main one ends with the thread's name.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from tapetui.trace.checks import CHECKS, TraceFormatError
from tapetui.trace.events import Event, GradientCallEvent, TapeEnterEvent, TapeExitEvent
from tapetui.trace.model import (
    ErrorInfo,
    GradientCall,
    Tape,
    Tensor,
    Trace,
    ValueSummary,
    flatten,
)

ENTER, EXIT, CALL = 0, 1, 2
"""The first value of a row: what it is."""
FILE_AT = {ENTER: 3, EXIT: 3, CALL: 5}
"""Where each kind of row holds its file."""

_WIDTH = {ENTER: 8, EXIT: 6, CALL: 15}
_THREADED = (ENTER, CALL)
"""Rows that may end with one more value: the thread's name, when not the main thread."""
_TENSOR_WIDTH = 6
_SUMMARY_WIDTH = 8


class _Reader:
    """What one ``steps`` record adds to a trace, read in full before any of it is applied."""

    def __init__(self, trace: Trace, files: list[Any]) -> None:
        if not all(isinstance(f, str) for f in files):
            raise TraceFormatError("a steps record's files should be names")
        self.trace = trace
        self.files = files
        self.tapes: dict[int, Tape] = {}
        self.exits: list[tuple[int, int, list[int]]] = []
        self.tensors: list[Tensor] = []
        self.calls: list[GradientCall] = []
        self.events: list[Event] = []

    def file(self, index: Any) -> str | None:
        if index is None:
            return None
        if not CHECKS["int"](index) or not 0 <= index < len(self.files):
            raise TraceFormatError("a steps row names a file the record does not list")
        return str(self.files[index])

    def tape(self, ref: int) -> Tape | None:
        return self.tapes.get(ref) or self.trace.tapes.get(ref)

    def row(self, row: Any) -> None:
        if not isinstance(row, list) or not row or _WIDTH.get(row[0]) != len(row):
            if not (isinstance(row, list) and row and row[0] in _THREADED):
                raise TraceFormatError("a steps row has the wrong shape")
            if len(row) != _WIDTH[row[0]] + 1 or not isinstance(row[-1], str):
                raise TraceFormatError("a steps row has the wrong shape")
        _check(row[1:3], "int", "a steps row's numbers")
        if row[0] == ENTER:
            self.enter(row)
        elif row[0] == EXIT:
            self.exit(row)
        else:
            self.call(row)

    def enter(self, row: list[Any]) -> None:
        _, seq, ref, file, line, persistent, watch_accessed, parent = row[:8]
        thread = row[8] if len(row) > 8 else None
        _check([line, parent], "int | None", "a tape's line and parent")
        _check([persistent, watch_accessed], "bool", "a tape's flags")
        where = self.file(file)
        tape = self.tape(ref)
        if tape is None:
            tape = Tape(ref, where, line, persistent, watch_accessed, parent, seq)
            tape.thread = thread
        elif tape.enter_seq is None:  # recorded in detail, entered only now
            tape = replace(tape, enter_seq=seq, parent=parent)
        self.tapes[ref] = tape
        self.events.append(TapeEnterEvent(seq, where, line, tape=ref))

    def exit(self, row: list[Any]) -> None:
        _, seq, ref, file, line, watched = row
        _check([line], "int | None", "a tape exit's line")
        _check([watched], "list[int]", "a tape's watched ids")
        if self.tape(ref) is None:
            raise TraceFormatError("a steps row exits a tape that was never entered")
        self.exits.append((ref, seq, watched))
        self.events.append(TapeExitEvent(seq, self.file(file), line, tape=ref))

    def call(self, row: list[Any]) -> None:
        (_, seq, ref, tape, method, file, line, target, sources, output_gradients) = row[:10]
        unconnected, inside, results, error, tensors = row[10:15]
        thread = row[15] if len(row) > 15 else None
        _check([tape], "int", "a gradient call's tape")
        _check([method, unconnected], "str", "a gradient call's method")
        _check([line], "int | None", "a gradient call's line")
        _check([inside], "bool", "a gradient call's inside_context")
        _check([target, sources, output_gradients, results], "Structure", "a gradient call")
        if error is not None and not (
            isinstance(error, list) and len(error) == 2 and all(isinstance(e, str) for e in error)
        ):
            raise TraceFormatError("a gradient call's error should be [type, message]")
        if not isinstance(tensors, list):
            raise TraceFormatError("a gradient call's tensors should be a list")
        where = self.file(file)
        self.tensors += [_tensor(t, where, line) for t in tensors]
        call = GradientCall(
            id=ref,
            tape=tape,
            method=method,
            file=where,
            line=line,
            seq=seq,
            target=target,
            sources=sources,
            output_gradients=output_gradients,
            unconnected_gradients=unconnected,
            results=results,
            error=None if error is None else ErrorInfo(error[0], error[1], where, line),
            inside_context=inside,
            target_ids=[r for r in flatten(target) if r is not None],
            source_ids=flatten(sources),
            result_ids=flatten(results) if error is None else [],
            thread=thread,
        )
        self.calls.append(call)
        self.events.append(GradientCallEvent(seq, where, line, call=ref))

    def apply(self) -> None:
        trace = self.trace
        trace.tapes.update(self.tapes)
        for ref, seq, watched in self.exits:
            trace.tapes[ref] = replace(trace.tapes[ref], exit_seq=seq, watched=watched)
        trace.tensors.update((t.id, t) for t in self.tensors)
        trace.gradient_calls.update((c.id, c) for c in self.calls)
        trace.events.extend(self.events)


def _check(values: list[Any], annotation: str, what: str) -> None:
    check = CHECKS[annotation]
    if not all(map(check, values)):
        raise TraceFormatError(f"{what} should be {annotation}")


def _tensor(row: Any, file: str | None, line: int | None) -> Tensor:
    if not isinstance(row, list) or len(row) != _TENSOR_WIDTH:
        raise TraceFormatError("a steps tensor has the wrong shape")
    ref, dtype, shape, data, summary, name = row
    _check([ref], "int", "a tensor's id")
    _check([dtype], "str", "a tensor's dtype")
    _check([shape], "list[int] | None", "a tensor's shape")
    _check([name], "str | None", "a tensor's name")
    return Tensor(ref, dtype, shape, data, _summary(summary), name=name, file=file, line=line)


def _summary(row: Any) -> ValueSummary | None:
    if row is None:
        return None
    if not isinstance(row, list) or len(row) != _SUMMARY_WIDTH:
        raise TraceFormatError("a steps value summary has the wrong shape")
    size, preview, low, high, mean, nan, inf, norm = row
    _check([size, nan, inf], "int", "a value summary's counts")
    _check([low, high, mean, norm], "float | None", "a value summary's statistics")
    _check([preview], "list[Any]", "a value summary's preview")
    return ValueSummary(size, preview, low, high, mean, nan, inf, norm)


def apply_steps(trace: Trace, value: Any) -> None:
    """Add a ``steps`` record's tapes, tensors, calls and events to ``trace``; a damaged record
    raises TraceFormatError and adds nothing."""
    if not isinstance(value, dict) or not isinstance(value.get("rows"), list):
        raise TraceFormatError("a steps record should have a list of rows")
    files = value.get("files", [])
    reader = _Reader(trace, files if isinstance(files, list) else [None])
    for row in value["rows"]:
        reader.row(row)
    reader.apply()
