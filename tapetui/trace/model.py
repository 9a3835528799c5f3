"""The recorded trace: tapes, tensors, variables, gradient calls and the event timeline.

Plain dataclasses with no behaviour beyond lookups; the recorder fills them, the explainer and the
UI read them. Tensor and variable ids share one namespace: a variable's id is the id of its
resource handle tensor, so a reference anywhere in the trace is a plain ``int``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tapetui.trace.cells import CellMap, line_words, on_line_words
from tapetui.trace.events import TAPE_EVENT_TYPES, Event, OpEvent, OutputEvent

FORMAT_VERSION = 3
"""The trace file format written; 2 (tables of rows) and 1 (an object per record) are still
read."""

Structure = Any
"""A JSON-able nesting of lists/dicts whose leaves are ids (``int``) or ``None``."""


def flatten(structure: Any) -> list[Any]:
    """The leaves of nested lists, tuples and dicts: a structure of ids, or what ``tape.watch``
    and ``gradient`` take."""
    if isinstance(structure, dict):
        return [leaf for v in structure.values() for leaf in flatten(v)]
    if isinstance(structure, (list, tuple)):
        return [leaf for v in structure for leaf in flatten(v)]
    return [structure]


@dataclass(slots=True)
class ValueSummary:
    """What is kept of a tensor too large to store whole."""

    size: int
    preview: list[Any]
    """The first few elements, flattened."""
    min: float | None = None
    max: float | None = None
    mean: float | None = None
    nan: int = 0
    inf: int = 0
    norm: float | None = None
    """The L2 norm of the finite elements (a gradient's norm is what a training loop watches)."""


@dataclass(slots=True)
class Tensor:
    """A tensor the scenario made or TensorFlow produced (gradients included)."""

    id: int
    dtype: str
    shape: list[int] | None
    data: Any = None
    """The whole value as nested lists (a bare number for a scalar) when small, else ``None``.
    Non-finite floats are the strings ``"nan"``, ``"inf"``, ``"-inf"``."""
    summary: ValueSummary | None = None
    """Set instead of ``data`` for large tensors."""
    name: str | None = None
    """The scenario's own Python name for it (``z1``), where it bound one."""
    producer: int | None = None
    """Id of the op that produced it; ``None`` for constants and values entering TensorFlow."""
    variable: int | None = None
    """Set when this tensor is a variable's value or handle: the variable's id."""
    file: str | None = None
    line: int | None = None
    """Where the scenario first saw it."""


@dataclass(slots=True)
class Variable:
    """A ``tf.Variable`` (or the ``tf.Variable`` under a Keras ``Variable``)."""

    id: int
    """The id of its resource handle tensor."""
    name: str
    """TensorFlow's name, e.g. ``weight`` or ``dense/kernel``."""
    dtype: str
    shape: list[int] | None
    trainable: bool
    pyname: str | None = None
    """The scenario's own Python name for it (``W``), where it bound one."""
    keras: bool = False
    """True when the scenario holds it as a Keras ``Variable``."""
    data: Any = None
    """Initial value (same encoding as ``Tensor.data``)."""
    summary: ValueSummary | None = None
    file: str | None = None
    line: int | None = None


@dataclass(slots=True)
class Tape:
    """One ``tf.GradientTape``."""

    id: int
    file: str | None
    line: int | None
    persistent: bool
    watch_accessed_variables: bool
    parent: int | None = None
    """The tape that was recording when this one was entered (nesting)."""
    enter_seq: int | None = None
    exit_seq: int | None = None
    watched: list[int] = field(default_factory=list)
    """Ids the tape was watching when it exited (variables and tensors)."""
    label: str | None = None
    """The scenario's Python name for the tape (``tape``, ``outer``)."""
    thread: str | None = None
    """The name of the thread that made it, when not the main thread (tapes are thread-local:
    a tape records only its own thread's ops)."""


@dataclass(slots=True)
class ErrorInfo:
    """An exception, with the scenario's own line where it can be found."""

    type: str
    message: str
    file: str | None = None
    line: int | None = None
    traceback: str = ""
    """Formatted traceback restricted to the scenario's own frames."""


@dataclass(slots=True)
class GradientCall:
    """A ``gradient`` / ``jacobian`` / ``batch_jacobian`` call and what it returned."""

    id: int
    tape: int
    method: str
    """``gradient``, ``jacobian`` or ``batch_jacobian``."""
    file: str | None
    line: int | None
    seq: int
    target: Structure
    sources: Structure
    output_gradients: Structure = None
    unconnected_gradients: str = "none"
    """``none`` or ``zero``."""
    results: Structure = None
    """Same structure as ``sources``; leaves are result tensor ids or ``None``."""
    error: ErrorInfo | None = None
    inside_context: bool = False
    """True when called inside the tape's ``with`` block while it was recording."""
    target_ids: list[int] = field(default_factory=list)
    source_ids: list[int] = field(default_factory=list)
    result_ids: list[int | None] = field(default_factory=list)
    """Flattened ``results``, aligned with ``source_ids``."""
    thread: str | None = None
    """The name of the thread that called it, when not the main thread."""


@dataclass
class Trace:
    """Everything recorded from one run of one scenario."""

    scenario: str
    """The scenario as the user named it, relative where possible (no absolute paths)."""
    version: int = FORMAT_VERSION
    seed: int = 0
    status: str = "running"
    """``running``, ``finished``, ``raised``, ``exited``, ``died``, ``timeout``, ``cancelled``."""
    exit_code: int | None = None
    error: ErrorInfo | None = None
    sources: dict[str, str] = field(default_factory=dict)
    """Source text of every scenario file that appears in the trace, by relative name."""
    events: list[Event] = field(default_factory=list)
    tensors: dict[int, Tensor] = field(default_factory=dict)
    variables: dict[int, Variable] = field(default_factory=dict)
    tapes: dict[int, Tape] = field(default_factory=dict)
    gradient_calls: dict[int, GradientCall] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)
    """Recorder settings (value budget, TensorFlow version) and truncation notes."""
    notebook: CellMap | None = None
    """For a notebook scenario: which file line is which cell's line (``tapetui.trace.cells``);
    ``None`` for a ``.py`` scenario and for traces recorded before notebooks were read."""
    ops: dict[int, OpEvent] = field(default_factory=dict, repr=False, compare=False)
    """Index of op events by op id; rebuilt from ``events``."""
    _by_tape: tuple[int, dict[int, list[Event]]] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    def reindex(self) -> None:
        """Rebuild the derived indexes after ``events`` changed."""
        self.ops = {e.op: e for e in self.events if type(e) is OpEvent}
        self._by_tape = None

    def tape_events(self) -> dict[int, list[Event]]:
        """Each tape's own events (enter, watch, stop/resume recording, reset, exit) in order, by
        tape id. Indexed on first use, and again when the timeline grew."""
        if self._by_tape is None or self._by_tape[0] != len(self.events):
            index: dict[int, list[Event]] = {}
            kinds = TAPE_EVENT_TYPES
            for event in self.events:
                if type(event) in kinds:
                    index.setdefault(event.tape, []).append(event)  # type: ignore[attr-defined]
            self._by_tape = (len(self.events), index)
        return self._by_tape[1]

    def line_words(self, line: int | None, file: str | None = None) -> str:
        """A line as the user knows it: ``cell 3, line 2`` in a notebook, else ``line 14``."""
        return line_words(self.notebook, file, line)

    def on_line_words(self, line: int | None, file: str | None = None) -> str:
        """``on line 14``, or ``in cell 3, line 2`` in a notebook."""
        return on_line_words(self.notebook, file, line)

    def output(self, stream: str | None = None) -> str:
        """What the scenario printed: one stream, or both interleaved as it happened."""
        return "".join(
            e.text
            for e in self.events
            if type(e) is OutputEvent and (stream is None or e.stream == stream)
        )
