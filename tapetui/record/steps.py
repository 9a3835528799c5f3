"""The summarised part of a run, recorded lean: each tape's enter and exit and each gradient call
with its values, as the compact rows of ``tapetui.trace.steps``, many steps to one record.

Once the detail budget is spent the hooks' lean wrappers (``tapetui.record.wrap_tapes``) report
only to this book, so a training step costs the recorder a few rows instead of a dozen records.
"""

from __future__ import annotations

from types import FrameType
from typing import Any

import numpy as np

from tapetui.record import tf_objects as tfo
from tapetui.record.leaves import describe, label_of
from tapetui.record.observer import CallCount, Journal, TapeIndex
from tapetui.record.tf_hooks import EagerTensor, TFVariable
from tapetui.record.threads import thread_name
from tapetui.record.values import summary_row, whole
from tapetui.trace.steps import CALL, ENTER, EXIT

Site = tuple[str | None, int | None]
"""A gradient call's file and line."""
Named = tuple[Site, FrameType]
"""A gradient call's site, and the frame that made the call (where its names are looked up)."""

_KEPT_ELEMENTS = 1 << 16
"""A value with more elements than this is summarised at once rather than copied (at most a
few hundred kB a tensor until the rows are sent)."""

STEP_ROWS = 1024
"""Rows are sent once this many are waiting; the stream writer's timed flush sends them at
least every ``FLUSH_SECONDS`` (``RecordWriter.upstream``), and any other record first."""


class StepRows:
    """Rows of the summarised part waiting to be sent; ``send()`` makes them one record."""

    def __init__(self, rec: Journal, tapes: TapeIndex, calls: CallCount) -> None:
        self.rec = rec
        self.tapes = tapes
        self.calls = calls
        self.rows: list[list[Any]] = []
        self._files: dict[str, int] = {}
        """File name -> its index in the pending record's ``files``."""
        self._names: dict[tuple[Site, int], str] = {}
        """The name a tensor passed at a call site had, by site and position."""
        self._values: list[tuple[list[Any], np.ndarray]] = []
        """Tensors of the queued rows whose values are written into them when they are sent,
        each with a copy of its value: summarised at once, a step's values cost more than its
        rows, a hook at a time among TensorFlow's work; many steps' at a time, much less."""

    # --- the scenario's tapes and gradient calls ---------------------------------------------
    # Each runs once a training step, under the recorder's lock (the hooks' guard); ``frame`` is
    # the frame that called the tape's method, where the scenario's frame is looked for.

    def entered(self, gt: Any, frame: FrameType) -> None:
        tapes = self.tapes
        active = tapes.active
        parent = active[-1] if active else None
        state = tapes.state_of(gt, announce=False)
        state.active = True
        active.append(state)
        file, line = self.rec.where(frame)
        tape = state.record  # kept as the rows say: a later record of the tape sends it whole
        parent_id = parent.id if parent is not None else None
        if tape.line is None:  # created unseen: it is known from its ``with`` on
            tape.file, tape.line = file, line
        row: list[Any] = [
            ENTER, 0, tape.id, file, line, tape.persistent, tape.watch_accessed_variables, parent_id
        ]  # fmt: skip
        thread = thread_name()
        if thread is not None:
            row.append(thread)
        self._add(row, 3)
        if tape.enter_seq is None:
            tape.enter_seq, tape.parent = row[1], parent_id

    def exited(self, gt: Any, frame: FrameType) -> None:
        tapes = self.tapes
        state = tapes.state_of(gt)
        state.active = False
        active = tapes.active
        if state in active:
            active.remove(state)
        file, line = self.rec.where(frame)
        watched = list(state.watched)
        for variable in gt.watched_variables():
            ref = _variable_ref(variable)
            if ref is not None and ref not in watched:
                watched.append(ref)
        row: list[Any] = [EXIT, 0, state.record.id, file, line, watched]
        self._add(row, 3)
        state.record.exit_seq, state.record.watched = row[1], watched

    def called(
        self,
        gt: Any,
        arguments: dict[str, Any],
        inside: bool,
        frame: FrameType,
        *,
        method: str,
        result: Any,
        error: BaseException | None,
    ) -> tuple[Any, Any]:
        """Queue the call's row; its sources and results as the row has them (their ids)."""
        rec = self.rec
        file, line = rec.where(frame)
        tape = self.tapes.state_of(gt).id
        self.calls.count += 1
        tensors: list[list[Any]] = []
        named = ((file, line), frame)
        refs = self._refs
        row = [
            CALL,
            0,
            self.calls.count,
            tape,
            method,
            file,
            line,
            refs(arguments.get("target"), tensors, named),
            refs(arguments.get("sources", arguments.get("source")), tensors, named),
            refs(arguments.get("output_gradients"), tensors, named),
            _unconnected(arguments.get("unconnected_gradients", "none")),
            inside,
            None if error is not None else refs(result, tensors),
            None if error is None else [type(error).__name__, str(error)],
            tensors,
        ]
        thread = thread_name()
        if thread is not None:
            row.append(thread)
        self._add(row, 5)
        if len(self.rows) >= STEP_ROWS:
            rec.send_steps()
        return row[8], row[12]

    # --- rows ----------------------------------------------------------------------------------

    def _add(self, row: list[Any], at: int) -> None:
        """Number the row in the timeline, its file name (at ``at``) as an index into the
        record's files, and queue it. The hooks call the book under the recorder's lock (their
        guard): a scenario's thread that prints, and so sends, waits meanwhile."""
        rec = self.rec
        row[1] = rec.seq
        rec.seq += 1
        file = row[at]
        if file is not None:
            files = self._files
            index = files.get(file)
            row[at] = index if index is not None else files.setdefault(file, len(files))
        self.rows.append(row)

    def send(self) -> None:
        """Send the queued rows as one ``steps`` record (the caller holds the recorder's lock)."""
        if not self.rows:
            return
        self._write_values()
        rows, self.rows = self.rows, []
        files, self._files = list(self._files), {}
        self.rec.sink("steps", {"files": files, "rows": rows})

    def _write_values(self) -> None:
        """Each waiting tensor's value into its row: whole, or summarised (``values``)."""
        values, self._values = self._values, []
        budget = self.rec.budget
        elements, preview = budget.elements, budget.preview
        for tensor, value in values:
            try:
                tensor[2] = list(value.shape)
                if value.size <= elements:
                    tensor[3] = whole(value)
                else:
                    tensor[4] = summary_row(value, preview)
            except Exception as exc:  # the row is sent all the same, without that value
                self.rec.note_internal_error(exc)

    def _refs(self, structure: Any, tensors: list[list[Any]], named: Named | None = None) -> Any:
        """The structure with each leaf replaced by its id; each tensor's value goes to
        ``tensors`` (variables are recorded already), named as the scenario named it when the
        call's site and frame are given (the target and sources, not the results)."""
        kind = type(structure)
        if kind is EagerTensor:  # the common leaves first, told by their exact type
            return self._eager(structure, tensors, named)
        if kind is list or kind is tuple:
            return [self._refs(v, tensors, named) for v in structure]
        if structure is None:
            return None
        if kind in _VARIABLE_TYPES:
            ref = _variable_ref(structure)
            if ref is not None:
                return ref
        if isinstance(structure, dict):
            return {str(k): self._refs(v, tensors, named) for k, v in structure.items()}
        if isinstance(structure, (list, tuple)):
            return [self._refs(v, tensors, named) for v in structure]
        if isinstance(structure, EagerTensor):
            return self._eager(structure, tensors, named)
        leaf = structure
        ref = tfo.ref_of(leaf)
        if ref is None:  # an IndexedSlices, a number, a foreign object (``leaves``)
            ref = self.rec.synthetic_id()
            dtype, shape, value = describe(leaf)
            name = label_of(leaf) if value is None else None
            tensors.append(self._tensor(ref, dtype, shape, value, name))
        return ref

    def _eager(self, leaf: Any, tensors: list[list[Any]], named: Named | None) -> int:
        ref: int = leaf._id
        name = None if named is None else self._name(leaf, named, len(tensors))
        enum = leaf._datatype_enum()
        dtype = _DTYPE_NAMES.get(enum) or _dtype_name(leaf, enum)
        if enum in _NO_VALUE:  # a resource or variant: its shape only
            tensors.append([ref, dtype, [int(d) for d in leaf.shape], None, None, name])
            return ref
        value = leaf._numpy()  # TensorFlow's buffer, not a copy
        tensor = [ref, dtype, None, None, None, name]
        tensors.append(tensor)
        if type(value) is not np.ndarray:  # a scalar string is bytes
            value = np.asarray(value)
        elif value.size > _KEPT_ELEMENTS:  # summarised now, in bounded memory
            tensor[2] = list(value.shape)
            tensor[4] = summary_row(value, self.rec.budget.preview)
            return ref
        else:
            value = value.copy()  # never the scenario's tensor's memory, kept until sent
        self._values.append((tensor, value))
        return ref

    def _tensor(
        self, ref: int | None, dtype: str, shape: list[int] | None, value: Any, name: str | None
    ) -> list[Any]:
        if value is None:
            return [ref, dtype, shape, None, None, name]
        if type(value) is not np.ndarray:  # a scalar string is bytes
            value = np.asarray(value)
        budget = self.rec.budget
        if value.size <= budget.elements:
            return [ref, dtype, list(value.shape), whole(value), None, name]
        return [ref, dtype, list(value.shape), None, summary_row(value, budget.preview), name]

    def _name(self, tensor: Any, named: Named, position: int) -> str | None:
        """The scenario's name for a tensor it passed (``loss``), looked up in full once per
        call site and argument, then only checked."""
        site, frame = named
        known = self._names.get((site, position))
        if known is not None:
            scenario = self.rec.files.innermost(frame)[0]
            if scenario is not None and scenario.f_locals.get(known) is tensor:
                return known
        name = self.rec.bound_name(tensor)
        if name is not None:
            self._names[(site, position)] = name
        return name


_DTYPE_NAMES: dict[int, str] = {}
_NO_VALUE = tfo.NO_VALUE


def _dtype_name(tensor: Any, enum: int) -> str:
    """An eager tensor's dtype name, known by its dtype's number after the first."""
    name: str = tensor.dtype.name
    _DTYPE_NAMES[enum] = name
    return name


_VARIABLE_TYPES: set[type] = set(TFVariable.__subclasses__()) | {TFVariable}
"""Exact types of ``tf.Variable``s met (a sources list is usually of them)."""


def _variable_ref(variable: Any) -> int | None:
    """``ref_of`` a variable, told by its exact type after the first of it."""
    kind = type(variable)
    if kind not in _VARIABLE_TYPES:
        if not isinstance(variable, TFVariable):
            return tfo.ref_of(variable)
        _VARIABLE_TYPES.add(kind)
    handle = variable.handle
    if type(handle) is EagerTensor:
        ref: int = handle._id
        return ref
    return tfo.ref_of(variable)


_UNCONNECTED: dict[Any, str] = {}


def _unconnected(unconnected: Any) -> str:
    """``none`` or ``zero``: a call's ``unconnected_gradients`` as the row says it."""
    try:
        text = _UNCONNECTED.get(unconnected)
    except TypeError:  # unhashable: whatever it is, said as text
        text = None
    if text is None:
        text = str(getattr(unconnected, "value", unconnected)).lower()
        if len(_UNCONNECTED) < 16:
            try:
                _UNCONNECTED[unconnected] = text
            except TypeError:
                pass
    return text
