"""The summarised part of a run, recorded lean: each tape's enter and exit and each gradient call
with its values, as the compact rows of ``tapetui.trace.steps``, many steps to one record.

Once the detail budget is spent the hooks call only this module, from the wrappers below, so a
training step costs the recorder a few rows instead of a dozen records.
"""

from __future__ import annotations

import inspect
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from tapetui.record import tf_hooks as tfh
from tapetui.record.values import capture
from tapetui.trace.steps import CALL, ENTER, EXIT
from tapetui.trace.stream import FLUSH_SECONDS

if TYPE_CHECKING:
    from tapetui.record.recorder import Recorder

STEP_ROWS = 1024
"""A record is sent once it holds this many rows, or ``FLUSH_SECONDS`` after the last one."""


class StepRows:
    """Rows of the summarised part waiting to be sent; ``send()`` makes them one record."""

    def __init__(self, rec: Recorder) -> None:
        self.rec = rec
        self.rows: list[list[Any]] = []
        self._files: dict[str, int] = {}
        """File name -> its index in the pending record's ``files``."""
        self._sent_at = time.monotonic()
        self._target_names: dict[tuple[str | None, int | None], str] = {}

    # --- the scenario's tapes and gradient calls ---------------------------------------------

    def entered(self, gt: Any) -> None:
        tapes = self.rec.tapes
        parent = tapes.innermost_active()
        state = tapes.state_of(gt, announce=False)
        state.active = True
        tapes.active.append(state)
        file, line = self.rec.where()
        persistent, watch_accessed = state.record.persistent, state.record.watch_accessed_variables
        parent_id = parent.id if parent is not None else None
        self._add([ENTER, 0, state.id, file, line, persistent, watch_accessed, parent_id])

    def exited(self, gt: Any) -> None:
        tapes = self.rec.tapes
        state = tapes.state_of(gt)
        state.active = False
        if state in tapes.active:
            tapes.active.remove(state)
        file, line = self.rec.where()
        watched = list(state.watched)
        watched += [r for r in tfh.watched_variable_refs(gt) if r not in watched]
        self._add([EXIT, 0, state.id, file, line, watched])

    def called(
        self,
        gt: Any,
        method: str,
        arguments: dict[str, Any],
        inside: bool,
        result: Any,
        error: BaseException | None,
    ) -> None:
        rec = self.rec
        file, line = rec.where()
        tape = rec.tapes.state_of(gt).id
        rec.gradients.count += 1
        tensors: list[list[Any]] = []
        target = arguments.get("target")
        name = self._target_name(target, (file, line))
        unconnected = arguments.get("unconnected_gradients", "none")
        self._add(
            [
                CALL,
                0,
                rec.gradients.count,
                tape,
                method,
                file,
                line,
                self._refs(target, tensors, name),
                self._refs(arguments.get("sources", arguments.get("source")), tensors),
                self._refs(arguments.get("output_gradients"), tensors),
                str(getattr(unconnected, "value", unconnected)).lower(),
                inside,
                None if error is not None else self._refs(result, tensors),
                None if error is None else [type(error).__name__, str(error)],
                tensors,
            ]
        )
        if len(self.rows) >= STEP_ROWS or time.monotonic() - self._sent_at >= FLUSH_SECONDS:
            rec.flush()

    # --- rows ----------------------------------------------------------------------------------

    def _add(self, row: list[Any]) -> None:
        """Number the row in the timeline and queue it (``row[3]`` is a file name until now)."""
        rec = self.rec
        with rec._lock:  # a scenario's thread may print, and so send, meanwhile
            row[1] = rec.seq
            rec.seq += 1
            file = row[CALL_FILE if row[0] == CALL else 3]
            if file is not None:
                index = self._files.setdefault(file, len(self._files))
                row[CALL_FILE if row[0] == CALL else 3] = index
            self.rows.append(row)

    def send(self) -> None:
        """Send the queued rows as one ``steps`` record (the caller holds the recorder's lock)."""
        self._sent_at = time.monotonic()
        if not self.rows:
            return
        rows, self.rows = self.rows, []
        files, self._files = list(self._files), {}
        self.rec.sink("steps", {"files": files, "rows": rows})

    def _refs(self, structure: Any, tensors: list[list[Any]], name: str | None = None) -> Any:
        """The structure with each leaf replaced by its id; each tensor's value goes to
        ``tensors`` (variables are recorded already)."""
        if isinstance(structure, dict):
            return {str(k): self._refs(v, tensors) for k, v in structure.items()}
        if isinstance(structure, (list, tuple)):
            return [self._refs(v, tensors) for v in structure]
        if structure is None:
            return None
        leaf = _dense(structure)
        ref = tfh.ref_of(leaf)
        if isinstance(leaf, tfh.EagerTensor):
            tensors.append(self._tensor(leaf, ref, name))
        return ref

    def _tensor(self, t: Any, ref: int | None, name: str | None) -> list[Any]:
        value = tfh.value_of(t)
        if value is None:
            return [ref, t.dtype.name, [int(d) for d in t.shape], None, None, name]
        data, s = capture(value, self.rec.budget.elements, self.rec.budget.preview)
        summary = None if s is None else [s.size, s.preview, s.min, s.max, s.mean, s.nan, s.inf]
        return [ref, t.dtype.name, list(value.shape), data, summary, name]

    def _target_name(self, target: Any, site: tuple[str | None, int | None]) -> str | None:
        """The scenario's name for a tensor target (``loss``), looked up once per call site."""
        if not isinstance(target, tfh.EagerTensor):
            return None
        known = self._target_names.get(site)
        if known is not None:
            frame = self.rec.files.innermost(sys._getframe(1))[0]
            if frame is not None and frame.f_locals.get(known) is target:
                return known
        name = self.rec.bound_name(target)
        if name is not None:
            self._target_names[site] = name
        return name


CALL_FILE = 5
"""Where a call row holds its file (``tapetui.trace.steps``); enter and exit rows hold it at 3."""


def _dense(value: Any) -> Any:
    """The values tensor of an ``IndexedSlices`` gradient; anything else unchanged."""
    if type(value).__name__ == "IndexedSlices":
        return value.values
    return value


# --- the wrappers the hooks switch to when summarising starts ---------------------------------


def lean_enter(rec: Recorder, original: Callable[..., Any]) -> Callable[..., Any]:
    def __enter__(self: Any) -> Any:
        result = original(self)
        if not rec.muted:
            with rec.guard():
                rec.steps.entered(self)
        return result

    return __enter__


def lean_exit(rec: Recorder, original: Callable[..., Any]) -> Callable[..., Any]:
    def __exit__(self: Any, *exc_info: Any) -> Any:
        result = original(self, *exc_info)
        if not rec.muted:
            with rec.guard():
                rec.steps.exited(self)
        return result

    return __exit__


def lean_gradient(rec: Recorder, method: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def make(original: Callable[..., Any]) -> Callable[..., Any]:
        parameters = list(inspect.signature(original).parameters.values())[1:]
        names = [p.name for p in parameters]
        defaults = {p.name: p.default for p in parameters if p.default is not p.empty}

        def gradient(self: Any, *args: Any, **kwargs: Any) -> Any:
            book = rec.gradients
            if rec.muted or book.depth or not tfh.eager():
                return original(self, *args, **kwargs)
            arguments = {**defaults, **dict(zip(names, args, strict=False)), **kwargs}
            inside = tfh.tape_is_recording(self)
            book.depth += 1
            try:
                result = original(self, *args, **kwargs)
            except BaseException as exc:
                book.depth -= 1
                with rec.guard():
                    rec.steps.called(self, method, arguments, inside, None, exc)
                raise
            book.depth -= 1
            with rec.guard():
                rec.steps.called(self, method, arguments, inside, result, None)
            return result

        return gradient

    return make
