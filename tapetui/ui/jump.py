"""Where the debugger opens and where its searches land; plain Python (no Textual).

The first screen stands on the first op a tape recorded, not on a variable's creation before any
tape (with ``--at-gradient``, on the first gradient call). ``/`` finds steps by op type, tensor or variable name, or line number; ``:`` finds a line's
first step (in a notebook, a file line or ``CELL:LINE``: ``3:2`` is cell 3, line 2). A search walks the steps from the cursor and stops at the first match, so a repeat
costs what the distance to the next match costs, not the whole trace.
"""

from __future__ import annotations

from collections.abc import Iterator

from tapetui.trace import GradientCallEvent, GradientSumEvent, OpEvent, Trace
from tapetui.trace.cells import CellMap
from tapetui.trace.labels import label
from tapetui.ui.steps import FORWARD, GRADIENT, Step
from tapetui.ui.values import call_name, step_name


def start_index(steps: list[Step]) -> int:
    """The first forward op a tape recorded; else the first step inside a tape; else 0."""
    for step in steps:
        if step.kind == FORWARD and getattr(step.event, "recorded_by", None):
            return step.index
    return next((step.index for step in steps if step.tape is not None), 0)


def gradient_index(steps: list[Step]) -> int | None:
    """The first gradient call's step (where ``--at-gradient`` opens), or ``None`` if none ran."""
    return next((step.index for step in steps if step.kind == GRADIENT), None)


def gradient_note(index: int, steps: int) -> str:
    """`` · opened at the first gradient call (step 12/30; home: step 1)``."""
    return f" · opened at the first gradient call (step {index + 1}/{steps}; home: step 1)"


def _around(count: int, start: int, forward: bool) -> Iterator[int]:
    """Every index once, beginning after (or before) ``start`` and wrapping round."""
    for offset in range(1, count + 1):
        yield (start + offset) % count if forward else (start - offset) % count


def _names(trace: Trace, step: Step) -> Iterator[str]:
    """What a step can be found by: its name, op type, and its tensors' and variables' names."""
    event = step.event
    yield step_name(trace, step)
    if isinstance(event, OpEvent):
        yield event.op_type
        for ref in (*event.inputs, *event.outputs):
            yield label(trace, ref)
    elif step.kind == "backward":
        yield str(getattr(event, "op_type", ""))
    elif isinstance(event, GradientSumEvent):
        yield label(trace, event.tensor)
    elif isinstance(event, GradientCallEvent):
        call = trace.gradient_calls.get(event.call)
        if call is not None:
            yield call_name(trace, call)
            yield from (label(trace, ref) for ref in (*call.target_ids, *call.source_ids))


def matches(trace: Trace, step: Step, query: str) -> bool:
    """``query`` is the step's line (``35``) or part of one of its names (``mul``, ``loss``)."""
    query = query.strip()
    if query.isdigit():
        return step.line == int(query)
    wanted = query.casefold()
    return any(wanted in name.casefold() for name in _names(trace, step))


def search(
    trace: Trace, steps: list[Step], query: str, start: int, forward: bool = True
) -> int | None:
    """The index of the next (or previous) step matching ``query`` from ``start``, wrapping."""
    if not query.strip() or not steps:
        return None
    for index in _around(len(steps), start, forward):
        if matches(trace, steps[index], query):
            return index
    return None


def line_step(
    steps: list[Step], line: int, file: str | None, after: int | None = None
) -> int | None:
    """The first step on ``line`` of ``file``; with ``after``, the next one after that index
    (wrapping to the line's first step), so clicking a line again walks through its ops."""
    on_line = [
        s.index for s in steps if s.line == line and (file is None or s.file in (file, None))
    ]
    if not on_line:
        return None
    if after is not None:
        later = [i for i in on_line if i > after]
        return later[0] if later else on_line[0]
    return on_line[0]


def asked_line(answer: str, notebook: CellMap | None, file: str | None) -> int | str:
    """The file line ``:`` was asked for: ``35``, or in a notebook ``3:2`` (cell 3, line 2); else
    the sentence saying why it is not one (``file``: the source shown)."""
    text = answer.strip().lstrip(":").strip()
    if text.isdigit():
        return int(text)
    in_notebook = notebook is not None and (file is None or file == notebook.file)
    cell, colon, line = (part.strip() for part in text.partition(":"))
    if not (colon and cell.isdigit() and line.isdigit()):
        also = " nor a cell and line such as 3:2" if in_notebook else ""
        return f"“{text:.40}” is not a line number{also}"
    if notebook is None or not in_notebook:
        return f"“{text:.40}” is a cell and line, but the source shown is not a notebook"
    found = notebook.file_line(int(cell), int(line)) if int(line) > 0 else None
    if found is None:
        return f"the notebook has no cell {int(cell)} with a line {int(line)}"
    return found
