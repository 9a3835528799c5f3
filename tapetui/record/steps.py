"""The summarised part of a run, recorded lean: each tape's enter and exit and each gradient call
with its values, as the compact rows of ``tapetui.trace.steps``, many steps to one record.

Once the detail budget is spent the hooks' lean wrappers (``tapetui.record.wrap_tapes``) report
only to this book, so a training step costs the recorder a few rows instead of a dozen records.
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np

from tapetui.record import tf_objects as tfo
from tapetui.record.leaves import describe, label_of
from tapetui.record.observer import CallCount, Journal, TapeIndex
from tapetui.record.tf_hooks import EagerTensor
from tapetui.record.threads import thread_name
from tapetui.record.values import capture
from tapetui.trace.steps import CALL, ENTER, EXIT, FILE_AT

Site = tuple[str | None, int | None]
"""A gradient call's file and line."""

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

    # --- the scenario's tapes and gradient calls ---------------------------------------------

    def entered(self, gt: Any) -> None:
        tapes = self.tapes
        parent = tapes.innermost_active()
        state = tapes.state_of(gt, announce=False)
        state.active = True
        tapes.active.append(state)
        file, line = self.rec.where()
        tape = state.record  # kept as the rows say: a later record of the tape sends it whole
        parent_id = parent.id if parent is not None else None
        if tape.line is None:  # created unseen: it is known from its ``with`` on
            tape.file, tape.line = file, line
        flags = tape.persistent, tape.watch_accessed_variables
        row: list[Any] = [ENTER, 0, state.id, file, line, *flags, parent_id]
        self._add(_on_thread(row))
        if tape.enter_seq is None:
            tape.enter_seq, tape.parent = row[1], parent_id

    def exited(self, gt: Any) -> None:
        tapes = self.tapes
        state = tapes.state_of(gt)
        state.active = False
        if state in tapes.active:
            tapes.active.remove(state)
        file, line = self.rec.where()
        watched = list(state.watched)
        watched += [r for r in tfo.watched_variable_refs(gt) if r not in watched]
        row: list[Any] = [EXIT, 0, state.id, file, line, watched]
        self._add(row)
        state.record.exit_seq, state.record.watched = row[1], watched

    def called(
        self,
        gt: Any,
        arguments: dict[str, Any],
        inside: bool,
        *,
        method: str,
        result: Any,
        error: BaseException | None,
    ) -> None:
        rec = self.rec
        file, line = rec.where()
        tape = self.tapes.state_of(gt).id
        self.calls.count += 1
        tensors: list[list[Any]] = []
        site = (file, line)
        unconnected = arguments.get("unconnected_gradients", "none")
        self._add(
            [
                CALL,
                0,
                self.calls.count,
                tape,
                method,
                file,
                line,
                self._refs(arguments.get("target"), tensors, site),
                self._refs(arguments.get("sources", arguments.get("source")), tensors, site),
                self._refs(arguments.get("output_gradients"), tensors, site),
                str(getattr(unconnected, "value", unconnected)).lower(),
                inside,
                None if error is not None else self._refs(result, tensors),
                None if error is None else [type(error).__name__, str(error)],
                tensors,
                *_thread_column(),
            ]
        )
        if len(self.rows) >= STEP_ROWS:
            rec.send_steps()

    # --- rows ----------------------------------------------------------------------------------

    def _add(self, row: list[Any]) -> None:
        """Number the row in the timeline, its file name as an index into the record's files,
        and queue it."""

        def add(seq: int) -> None:
            row[1] = seq
            at = FILE_AT[row[0]]
            if row[at] is not None:
                row[at] = self._files.setdefault(row[at], len(self._files))
            self.rows.append(row)

        self.rec.numbered(add)  # a scenario's thread may print, and so send, meanwhile

    def send(self) -> None:
        """Send the queued rows as one ``steps`` record (the caller holds the recorder's lock)."""
        if not self.rows:
            return
        rows, self.rows = self.rows, []
        files, self._files = list(self._files), {}
        self.rec.sink("steps", {"files": files, "rows": rows})

    def _refs(self, structure: Any, tensors: list[list[Any]], site: Site | None = None) -> Any:
        """The structure with each leaf replaced by its id; each tensor's value goes to
        ``tensors`` (variables are recorded already), named as the scenario named it when a
        call ``site`` is given (the target and sources, not the results)."""
        kind = type(structure)
        if kind is EagerTensor:  # the common leaves first, told by their exact type
            return self._eager(structure, tensors, site)
        if kind is list or kind is tuple:
            return [self._refs(v, tensors, site) for v in structure]
        if structure is None:
            return None
        if isinstance(structure, dict):
            return {str(k): self._refs(v, tensors, site) for k, v in structure.items()}
        if isinstance(structure, (list, tuple)):
            return [self._refs(v, tensors, site) for v in structure]
        if isinstance(structure, EagerTensor):
            return self._eager(structure, tensors, site)
        leaf = structure
        ref = tfo.ref_of(leaf)
        if ref is None:  # an IndexedSlices, a number, a foreign object (``leaves``)
            ref = self.rec.synthetic_id()
            dtype, shape, value = describe(leaf)
            name = label_of(leaf) if value is None else None
            tensors.append(self._tensor(ref, dtype, shape, value, name))
        return ref

    def _eager(self, leaf: Any, tensors: list[list[Any]], site: Site | None) -> int:
        ref: int = leaf._id
        name = None if site is None else self._name(leaf, site, len(tensors))
        value = tfo.value_of(leaf)
        dtype = _dtype_name(leaf)
        if value is None:  # a resource or variant: its shape only
            tensors.append([ref, dtype, [int(d) for d in leaf.shape], None, None, name])
        else:
            tensors.append(self._tensor(ref, dtype, None, value, name))
        return ref

    def _tensor(
        self, ref: int | None, dtype: str, shape: list[int] | None, value: Any, name: str | None
    ) -> list[Any]:
        if value is None:
            return [ref, dtype, shape, None, None, name]
        if type(value) is not np.ndarray:  # a scalar string is bytes
            value = np.asarray(value)
        data, s = capture(value, self.rec.budget.elements, self.rec.budget.preview)
        summary = None if s is None else [s.size, s.preview, s.min, s.max, s.mean, s.nan, s.inf, s.norm]
        return [ref, dtype, list(value.shape), data, summary, name]

    def _name(self, tensor: Any, site: Site, position: int) -> str | None:
        """The scenario's name for a tensor it passed (``loss``), looked up in full once per
        call site and argument, then only checked."""
        known = self._names.get((site, position))
        if known is not None:
            frame = self.rec.files.innermost(sys._getframe(1))[0]
            if frame is not None and frame.f_locals.get(known) is tensor:
                return known
        name = self.rec.bound_name(tensor)
        if name is not None:
            self._names[(site, position)] = name
        return name


_DTYPE_NAMES: dict[int, str] = {}


def _dtype_name(tensor: Any) -> str:
    """An eager tensor's dtype name, known by its dtype's number after the first."""
    enum = tensor._datatype_enum()
    name = _DTYPE_NAMES.get(enum)
    if name is None:
        name = _DTYPE_NAMES[enum] = tensor.dtype.name
    return name


def _thread_column() -> list[str]:
    """The optional last value of an enter or call row: the thread, when not the main one."""
    thread = thread_name()
    return [] if thread is None else [thread]


def _on_thread(row: list[Any]) -> list[Any]:
    return row + _thread_column()
