"""Which tapes exist, which are recording, and what each one watches — tracked as TF does."""

from __future__ import annotations

import inspect
import sys
import threading
from collections import Counter
from dataclasses import dataclass, field
from types import FrameType
from typing import Any

from tapetui.record import tf_objects as tfo
from tapetui.record.frames import ScenarioFiles
from tapetui.record.leaves import label_of
from tapetui.record.observer import Journal, LeafRefs, Where
from tapetui.record.tf_hooks import is_differentiable_dtype, recording_stopped, tf_would_record
from tapetui.record.threads import thread_name
from tapetui.trace.events import (
    ResumeRecordingEvent,
    StopRecordingEvent,
    TapeEnterEvent,
    TapeExitEvent,
    TapeResetEvent,
    WatchEvent,
    WatchItem,
)
from tapetui.trace.model import Tape, flatten

Place = tuple[tuple[str, int], ...]

NEVER_RECORDED = frozenset({"StopGradient"})
"""Ops TensorFlow never puts on a tape, whatever their inputs."""

_ATTR = "_tapetui_tape"

TAPE_ORIGINS = "tape_origins"
"""The trace's meta entry for the tapes TensorFlow made itself or ran in a ``tf.py_function``,
by tape id (``tape_origin``)."""
_TRAINING_APIS = ("tensorflow.python.training.", "tensorflow.python.keras.")
"""TensorFlow's modules whose tapes are the training step's (TF1 ``Optimizer.minimize``)."""
_SCRIPT_OPS = "tensorflow.python.ops.script_ops"
_EAGER_FUNC_CALLS = frozenset({"EagerFunc.__call__", "EagerFunc._call"})
"""Where ``script_ops`` runs a py_function's Python function (``__call__`` under its tape)."""
_EAGER_CALLS = frozenset({"_internal_py_func", "eager_py_func"})
"""``script_ops`` functions on the stack when the op runs where Python called it (eagerly)."""


@dataclass
class TapeState:
    """Our mirror of one ``tf.GradientTape``: its record and the tensor ids it is tracing."""

    record: Tape
    members: set[int] = field(default_factory=set)
    """Watched ids and outputs of the ops this tape recorded (TF's tensor_tape, by id)."""
    watched: list[int] = field(default_factory=list)
    active: bool = False

    @property
    def id(self) -> int:
        return self.record.id

    def watch(self, ref: int) -> None:
        self.members.add(ref)
        if ref not in self.watched:
            self.watched.append(ref)


class _TapeSet(threading.local):
    def __init__(self) -> None:
        self.tapes: list[TapeState] = []


class TapeBook:
    """All tapes of the run, and the ones currently in TensorFlow's tape set, in order."""

    def __init__(self, rec: Journal, leaves: LeafRefs) -> None:
        self.rec = rec
        self.leaves = leaves
        self.count = 0
        self._tape_set = _TapeSet()
        self.made_at: Counter[Place] = Counter()
        """Tapes made at each place (``ScenarioFiles.place``): a loop makes one a step."""

    @property
    def active(self) -> list[TapeState]:
        """This thread's tapes in TensorFlow's tape set, which is thread-local."""
        return self._tape_set.tapes

    def state_of(self, gt: Any, announce: bool = True) -> TapeState:
        """Our state of a tape, created the first time it is seen; ``announce=False`` when
        what the caller records says what the tape is (a summarised enter)."""
        state = getattr(gt, _ATTR, None)
        if state is None:
            state = self.created(gt, *tfo.tape_flags(gt), announce=announce)
        return state

    def innermost_active(self) -> TapeState | None:
        return self.active[-1] if self.active else None

    def created(
        self,
        gt: Any,
        persistent: bool,
        watch_accessed: bool,
        where: Where = (None, None),
        announce: bool = True,
        place: Place = (),
    ) -> TapeState:
        budget = self.rec.budget
        origin = tape_origin(sys._getframe(1), self.rec.files)
        # TensorFlow's own tapes (py_function's, ForwardAccumulator's, several to an op) are no
        # step of the scenario's loop: they do not count towards its repeats.
        if place and not self.rec.summarising and (origin is None or origin["role"] == "inside"):
            self.made_at[place] += 1
            if budget.detailed_repeats_exceeded(self.made_at[place]):
                self.rec.start_summary("repeats")
        if budget.detailed_tapes_exceeded(self.count + 1):
            self.rec.start_summary("tapes")
        self.count += 1
        record = Tape(self.count, where[0], where[1], persistent, watch_accessed)
        record.thread = thread_name()
        state = TapeState(record)
        setattr(gt, _ATTR, state)
        if announce:
            self.rec.emit("tape", record)
        if origin is not None:
            self._note_origin(self.count, origin)
        return state

    def _note_origin(self, tape: int, found: dict[str, Any]) -> None:
        """Note what a tape TensorFlow made, or one made in a ``tf.py_function``, is
        (``tape_origin``)."""
        noted = self.rec.notes.setdefault(TAPE_ORIGINS, {})
        noted[str(tape)] = found
        if not self.rec.summarising:  # summarised: the trace's final meta lists them all
            self.rec.emit("meta", {"meta": {TAPE_ORIGINS: dict(noted)}})

    def name_tape(self, gt: Any, name: str) -> None:
        state = getattr(gt, _ATTR, None)
        if state is not None and state.record.label is None:
            state.record.label = name
            self.rec.emit("tape", state.record)

    # --- TensorFlow's tape set ---------------------------------------------------------------

    def pushed(self, gt: Any, *_: Any) -> None:
        state = self.state_of(gt)
        state.active = True
        if state not in self.active:
            self.active.append(state)

    def popped(self, gt: Any, *_: Any) -> None:
        state = self.state_of(gt)
        state.active = False
        if state in self.active:
            self.active.remove(state)

    def record_op(
        self,
        op_type: str,
        inputs: list[Any],
        in_ids: list[int],
        out_ids: list[int],
        is_function: bool,
    ) -> list[int]:
        """Ids of the tapes that record this op; their traced ids grow by its outputs.

        A function call runs with recording stopped and is put on the tapes afterwards, so the
        stop flag does not apply to it.
        """
        if not self.active or op_type in NEVER_RECORDED:
            return []
        if not is_function and recording_stopped():
            return []
        traced = [i for t, i in zip(inputs, in_ids, strict=True) if tfo.is_differentiable(t)]
        recording = [s for s in self.active if any(i in s.members for i in traced)]
        for state in recording:
            state.members.update(out_ids)
        if not is_function and bool(recording) != tf_would_record(inputs):
            self.rec.notes["tf_disagreements"] += 1
        return [s.id for s in recording]

    # --- the scenario's tape calls --------------------------------------------------------------

    def entered(self, gt: Any, parent: TapeState | None, where: Where) -> None:
        state = self.state_of(gt)
        event = self.rec.event(TapeEnterEvent, where, tape=state.id)
        if state.record.enter_seq is None:
            state.record.enter_seq = event.seq
            state.record.parent = parent.id if parent is not None else None
        if not self.rec.summarising:  # summarised: the record sent at its exit says it all
            self.rec.emit("tape", state.record)

    def exited(self, gt: Any, where: Where) -> None:
        state = self.state_of(gt)
        event = self.rec.event(TapeExitEvent, where, tape=state.id)
        state.record.exit_seq = event.seq
        watched = list(state.watched)
        watched += [r for r in tfo.watched_variable_refs(gt) if r not in watched]
        state.record.watched = watched
        self.rec.emit("tape", state.record)

    def reset(self, gt: Any, where: Where) -> None:
        state = self.state_of(gt)
        state.members.clear()
        state.watched.clear()
        self.rec.event(TapeResetEvent, where, tape=state.id)

    def stop_recording(self, gt: Any, stopped: bool, where: Where) -> None:
        cls = StopRecordingEvent if stopped else ResumeRecordingEvent
        self.rec.event(cls, where, tape=self.state_of(gt).id)

    def watch(self, gt: Any, structure: Any, error: BaseException | None, where: Where) -> None:
        state = self.state_of(gt)
        leaves = flatten(structure)
        items = [
            self._watch_item(state, part, error, label)
            for leaf in leaves
            for part, label in self._components(leaf)
        ]
        self.rec.event(
            WatchEvent,
            where,
            tape=state.id,
            items=items,
            explicit=True,
            empty=not leaves,
            error=None if error is None else f"{type(error).__name__}: {error}",
        )

    def _components(self, leaf: Any) -> list[tuple[Any, str | None]]:
        """What TensorFlow watches of a leaf: itself, or a composite tensor's component
        tensors (a ``tf.SparseTensor``'s indices, values and dense shape), labelled after it."""
        if tfo.ref_of(leaf) is not None or not tfo.is_tensor(leaf):
            return [(leaf, None)]
        name = self.rec.bound_name(leaf) or type(leaf).__name__
        parts = tfo.components(leaf)
        return [(part, f"{name}.{_component_name(leaf, part)}") for part in parts]

    def _watch_item(
        self, state: TapeState, leaf: Any, error: BaseException | None, label: str | None = None
    ) -> WatchItem:
        self.rec.ensure_tensor(leaf, boundary=True, name=label)
        ref = tfo.ref_of(leaf)
        label = label or self.rec.label(leaf, ref)
        if tfo.is_keras_variable(leaf):
            return WatchItem(ref, label, "ignored", "a Keras Variable, not a tf.Variable")
        if ref is None:  # a foreign object keeps an id: a gradient call passing it links to it
            ref = self.leaves.ref(leaf)
            return WatchItem(ref, label_of(leaf), "ignored", "not a tensor or variable")
        if error is not None:
            return WatchItem(ref, label, "ignored", "watch() raised")
        if not is_differentiable_dtype(leaf.dtype):
            state.members.add(ref)
            return WatchItem(
                ref, label, "ignored", f"{leaf.dtype.name} is not a floating-point dtype"
            )
        state.watch(ref)
        return WatchItem(ref, label, "watched")

    def variables_accessed(self, variables: list[Any]) -> None:
        """Automatic watches: TF watches a trainable variable read on a tape watching accesses."""
        if self.rec.summarising or recording_stopped():
            return  # summarised: the tape's watched variables are still listed at its exit
        where = self.rec.where()
        for var in variables:
            ref = tfo.ref_of(var)
            for state in self.active:
                if ref is None or not state.record.watch_accessed_variables:
                    continue
                if ref in state.watched or (ref in state.members and not _floating(var)):
                    continue
                item = self._accessed_item(state, var, ref)
                self.rec.event(WatchEvent, where, tape=state.id, items=[item], explicit=False)

    def _accessed_item(self, state: TapeState, var: Any, ref: int) -> WatchItem:
        """TF lists an integer variable in ``watched_variables()`` once read, but records none of
        its reads (only floating-point values are traced): shown as ignored, as ``watch()`` of an
        integer tensor is."""
        label = self.rec.label(var, ref)
        if not _floating(var):
            state.members.add(ref)
            reason = f"{var.dtype.name} is not a floating-point dtype: no read of it is recorded"
            return WatchItem(ref, label, "ignored", reason)
        state.watch(ref)
        return WatchItem(ref, label, "watched")


def tape_origin(frame: FrameType | None, files: ScenarioFiles) -> dict[str, Any] | None:
    """What a tape made at ``frame`` is to TensorFlow, or ``None`` for one the scenario (or
    Keras, or a TensorFlow training API) made outside any ``tf.py_function``:

    - ``differentiates``: ``tf.py_function``'s own (``EagerFunc.__call__`` runs the Python
      function under a tape of its own, to differentiate it);
    - ``inside``: one the py_function's Python function made;
    - ``tensorflow``: one TensorFlow made for its own gradient work (``tf.recompute_grad``'s
      backward pass, ``tf.autodiff.ForwardAccumulator``'s), ``function`` naming where.

    With the function's name, the scenario line it ran from and whether it ran there eagerly
    (``eager``) or from a graph TensorFlow ran (a tf.data pipeline's or a compiled
    tf.function's: then no scenario line, or the one running it)."""
    first = True
    while frame is not None:
        module = frame.f_globals.get("__name__", "")
        if module.startswith("tapetui."):
            frame = frame.f_back
            continue
        code = frame.f_code
        if module == _SCRIPT_OPS and code.co_qualname in _EAGER_FUNC_CALLS:
            own = first and code.co_qualname == "EagerFunc.__call__"
            function = getattr(frame.f_locals.get("self"), "_func", None)
            role = "differentiates" if own else "inside"
            return {"role": role, "function": _function_name(function), **_ran_from(frame, files)}
        if first and module.startswith("tensorflow.") and not module.startswith(_TRAINING_APIS):
            return {"role": "tensorflow", "function": code.co_name, **_ran_from(frame, files)}
        first = False
        frame = frame.f_back
    return None


def _function_name(function: Any) -> str | None:
    if not callable(function):
        return None
    try:
        name = getattr(inspect.unwrap(function), "__name__", None)
    except ValueError:  # a cycle of ``__wrapped__``
        return None
    return name if isinstance(name, str) else None


def _ran_from(frame: FrameType | None, files: ScenarioFiles) -> dict[str, Any]:
    """The scenario line outside a py_function's frame, and whether the op ran eagerly there."""
    eager = False
    while frame is not None:
        if frame.f_globals.get("__name__") == _SCRIPT_OPS and frame.f_code.co_name in _EAGER_CALLS:
            eager = True
        name = files.name(frame.f_code.co_filename)
        if name is not None:
            return {"file": name, "line": frame.f_lineno, "eager": eager}
        frame = frame.f_back
    return {"file": None, "line": None, "eager": eager}


def _floating(var: Any) -> bool:
    return is_differentiable_dtype(var.dtype)


_COMPONENTS = ("values", "indices", "dense_shape", "flat_values", "row_splits")


def _component_name(composite: Any, part: Any) -> str:
    """``values`` for the values tensor of a ``tf.SparseTensor``; else the part's position."""
    for attr in _COMPONENTS:
        if getattr(composite, attr, None) is part:
            return attr
    nested = getattr(composite, "nested_row_splits", ())
    for depth, splits in enumerate(nested):
        if splits is part:
            return f"row_splits[{depth}]" if depth else "row_splits"
    return "component"
