"""One gradient call as the explainer sees it, with the scenario's own words for what it refers to."""

from __future__ import annotations

import io
import os
import tokenize
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from tapetui.explain.causes import Evidence
from tapetui.explain.dataflow import Dataflow
from tapetui.explain.recording import TapeView
from tapetui.trace.cells import CellMap, line_words
from tapetui.trace.events import Event
from tapetui.trace.labels import label, structure_label
from tapetui.trace.model import GradientCall, Tape, Trace


@dataclass
class CallContext:
    """A gradient call, the dataflow of the whole run, and the asked tape's view of it."""

    trace: Trace
    flow: Dataflow
    call: GradientCall
    view: TapeView
    targets: set[int] = field(default_factory=set)
    _views: dict[int, TapeView] = field(default_factory=dict)

    def view_of(self, tape: Tape) -> TapeView:
        if tape.id not in self._views:
            events = self.flow.tape_events.get(tape.id, [])
            self._views[tape.id] = TapeView.of(self.trace, tape, self.call.seq, events)
        return self._views[tape.id]

    def name(self, ref: int | None) -> str:
        """The scenario's name for a tensor or variable, in backticks.

        A Keras variable also gets its layer path, since the scenario's name for it is often a
        loop variable (``for variable in model.variables``).
        """
        var = self.trace.variables.get(ref) if ref is not None else None
        if var is not None and var.keras and var.pyname:
            short = var.name.split("/")[-1]
            if not var.pyname.endswith(short):
                return f"`{var.pyname}` ({var.name})"
        return f"`{label(self.trace, ref)}`"

    @property
    def target_name(self) -> str:
        return f"`{structure_label(self.trace, self.call.target)}`"

    @property
    def tape_name(self) -> str:
        return tape_name(self.view.tape)

    def call_evidence(self) -> Evidence:
        """The gradient call itself, as the last piece of evidence."""
        call, tape = self.call, self.tape_name.strip("`")
        return Evidence(call.file, call.line, f"{tape}.{call.method}() called here", call.seq)

    def origin(self, source: int) -> Evidence | None:
        """Where the source came to be: its variable's creation, or the op that made it."""
        created = self.flow.created.get(source)
        if created is not None:
            return self.evidence(created, f"{self.name(source)} created")
        tensor = self.trace.tensors.get(source)
        op = self.trace.ops.get(tensor.producer) if tensor and tensor.producer is not None else None
        if op is not None:
            return self.evidence(op, f"{self.name(source)} computed by {op.function or op.op_type}")
        if tensor is not None and tensor.line is not None:
            return Evidence(tensor.file, tensor.line, f"{self.name(source)} created", None)
        return None

    def code(self, file: str | None, line: int | None) -> str | None:
        """The scenario's source line, stripped, or ``None`` when it is not available."""
        text = self.trace.sources.get(file or self.trace.scenario) if line else None
        if text is None and line and len(self.trace.sources) == 1:
            text = next(iter(self.trace.sources.values()))
        lines = text.splitlines() if text else []
        if line and 0 < line <= len(lines):
            return without_comment(lines[line - 1]).strip() or None
        return None

    def statement(self, event: Event) -> str:
        """``\\`y1 = x * x\\` (line 3)`` or ``line 3`` when the source text is missing."""
        code = self.code(event.file, event.line)
        where = at(event.line, event.file)
        return f"`{code}` ({where})" if code else where

    def evidence(self, event: Event, text: str) -> Evidence:
        return Evidence(event.file, event.line, text, event.seq)


def without_comment(line: str) -> str:
    """The line without its trailing ``# comment`` (a ``#`` inside a string stays)."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(line.strip() + "\n").readline))
    except (tokenize.TokenError, SyntaxError):
        return line
    comment = next((t for t in tokens if t.type == tokenize.COMMENT), None)
    return line.strip()[: comment.start[1]] if comment else line


def tape_name(tape: Tape) -> str:
    return f"`{tape.label}`" if tape.label else f"tape {tape.id}"


@dataclass(frozen=True)
class _Words:
    """What :func:`at` needs of the trace being explained to name its lines."""

    notebook: CellMap | None = None
    others: frozenset[str] = frozenset()
    """The trace's other source files (helper modules the scenario imports)."""


_WORDS: ContextVar[_Words | None] = ContextVar("tapetui_explained_lines", default=None)
"""How the trace being explained names its lines (a notebook's cells, its helper files)."""


@contextmanager
def in_words_of(trace: Trace) -> Iterator[None]:
    """While explaining ``trace``: :func:`at` names its lines as its user knows them."""
    own = [trace.scenario, trace.notebook.file if trace.notebook else None]
    main = {os.path.normpath(f) for f in own if f}
    others = frozenset(f for f in trace.sources if main and os.path.normpath(f) not in main)
    token = _WORDS.set(_Words(trace.notebook, others))
    try:
        yield
    finally:
        _WORDS.reset(token)


def at(line: int | None, file: str | None = None) -> str:
    """``line 14``, or ``cell 3, line 2`` in a notebook (``tapetui.trace.cells.line_words``);
    a line of another of the trace's files (a helper module) is ``line 5 of helper.py``
    (``file`` ``None``: the scenario's own file)."""
    words = _WORDS.get() or _Words()
    if file is not None and line is not None and file in words.others:
        return f"line {line} of {os.path.basename(file)}"
    return line_words(words.notebook, file, line)
