"""The narrow interfaces inside the recorder, as ``Protocol``s: what the TensorFlow hooks report
(``Observer``), and what the books (tapes, gradient calls, step rows …) receive from the hub that
holds the trace so far (``Journal``) and from each other (``TapeIndex``, ``CallCount``,
``LeafRefs``).

This module imports nothing of tapetui's but ``trace/`` and ``budget``: the hooks, the books and
the ``Recorder`` all depend on it, and none of them on another through it.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from types import FrameType
from typing import Any, Protocol

from tapetui.record.budget import Budget
from tapetui.record.frames import ScenarioFiles
from tapetui.trace.events import Event, OpEvent
from tapetui.trace.model import Tensor, Variable

Where = tuple[str | None, int | None]
"""A scenario file and line (``(None, None)`` when no scenario code is running)."""


class Observer(Protocol):
    """What the hooks report, each as it happens in TensorFlow. The wrappers that decide what is
    worth reporting call only this (``tapetui.record.wrap_*``)."""

    @property
    def muted(self) -> bool:
        """True inside recorder code on this thread: its TensorFlow calls are not reported."""

    @property
    def summarising(self) -> bool:
        """True once the detail budget is spent (the hooks switch to the lean wrappers)."""

    assigning: bool
    """True while this thread runs a variable's ``assign``."""

    gradient_depth: int
    """How many gradient calls of this thread are running."""

    def guard(self) -> AbstractContextManager[None]:
        """Run recorder code muted, under the recorder's lock, its own bugs noted."""

    # ops and the backward pass
    def on_op(
        self, op_type: str | bytes, inputs: list[Any], attrs: Any, outputs: list[Any]
    ) -> None:
        """An eager op ran."""

    def on_backward_step(
        self,
        op_name: str,
        inputs: Any,
        outputs: Any,
        out_grads: Any,
        skip: Any,
        produced: list[Any],
    ) -> None:
        """TensorFlow ran an op's registered gradient function."""

    def on_custom_step(
        self, op_type: str, in_ids: list[int], out_ids: list[int], grads: list[Any], made: list[Any]
    ) -> None:
        """A ``tf.custom_gradient``'s own gradient function ran."""

    # tapes
    def on_tape_created(self, gt: Any, persistent: bool, watch_accessed: bool) -> None: ...
    def innermost_tape(self) -> Any:
        """What ``on_tape_enter`` is given as the parent: read before the tape is pushed."""

    def on_tape_enter(self, gt: Any, parent: Any) -> None: ...
    def on_tape_exit(self, gt: Any, *_: Any) -> None: ...
    def on_tape_pushed(self, gt: Any, *_: Any) -> None: ...
    def on_tape_popped(self, gt: Any, *_: Any) -> None: ...
    def on_tape_reset(self, gt: Any) -> None: ...
    def on_stop_recording(self, gt: Any, stopped: bool) -> None: ...
    def on_watch(self, gt: Any, structure: Any, error: BaseException | None) -> None: ...
    def on_variables_accessed(self, variables: list[Any]) -> None: ...
    def thread_seen_late(self) -> None:
        """A thread's first tape came before any of its ops were observed."""

    # gradient calls
    def gradient_begin(self, gt: Any, method: str, arguments: dict[str, Any], inside: bool) -> Any:
        """A gradient call starts; what it returns is handed to ``gradient_end``."""

    def gradient_end(self, begun: Any, result: Any, error: BaseException | None) -> None: ...
    def on_gradient_returned(self, arguments: dict[str, Any], result: Any) -> None: ...

    # summarised (lean) tapes and calls; ``frame``: the frame that called the tape's method
    def lean_entered(self, gt: Any, frame: FrameType) -> None: ...
    def lean_exited(self, gt: Any, frame: FrameType) -> None: ...
    def lean_called(
        self,
        gt: Any,
        arguments: dict[str, Any],
        inside: bool,
        frame: FrameType,
        *,
        method: str,
        result: Any,
        error: BaseException | None,
    ) -> None:
        """A summarised gradient call ended; when it returned, also what
        ``on_gradient_returned`` does."""

    # variables, values leaving TensorFlow, Keras optimizers
    def on_variable_created(self, var: Any) -> None: ...
    def on_assign(self, var: Any, method: str, value: Any) -> None: ...
    def on_boundary(self, obj: Any, how: str, caller: FrameType) -> None: ...
    def on_missing_gradients(
        self, grads: list[Any], variables: list[Any], error: BaseException | None
    ) -> None: ...


class Journal(Protocol):
    """What a book receives from the hub: the trace so far, and where to send new records."""

    budget: Budget
    files: ScenarioFiles
    seq: int
    op_count: int
    notes: dict[str, Any]
    tensors: dict[int, Tensor]
    variables: dict[int, Variable]
    ops: dict[int, OpEvent]
    producer: dict[int, int]
    op_index: dict[tuple[str, tuple[int, ...]], tuple[int, ...]]

    @property
    def summarising(self) -> bool: ...

    def emit(self, key: str, value: Any) -> None: ...
    def event(self, cls: type[Event], where: Where, **fields: Any) -> Any: ...
    def where(self, frame: FrameType | None = None) -> Where: ...
    def flush(self) -> None: ...
    def send_steps(self) -> None: ...
    def numbered(self, add: Callable[[int], None]) -> None:
        """Call ``add(seq)`` with the next number of the timeline, under the recorder's lock."""

    def sink(self, key: str, value: Any) -> None: ...
    def start_summary(self, reason: str) -> None: ...
    def note_internal_error(self, exc: BaseException) -> None: ...
    def synthetic_id(self) -> int: ...
    def ensure_tensor(
        self, t: Any, boundary: bool, how: str = "constant", name: str | None = None
    ) -> Tensor | None: ...
    def bound_name(self, obj: Any) -> str | None: ...
    def label(self, obj: Any, ref: int | None) -> str: ...
    def name_target(self, structure: Any) -> None: ...


class TapeIndex(Protocol):
    """The tapes known so far (``tapetui.record.tapes.TapeBook``), as other books use them."""

    @property
    def active(self) -> list[Any]: ...
    def state_of(self, gt: Any, announce: bool = True) -> Any: ...
    def innermost_active(self) -> Any: ...


class CallCount(Protocol):
    """The gradient calls numbered so far (``tapetui.record.gradients.GradientBook``)."""

    count: int


class LeafRefs(Protocol):
    """Trace ids for any leaf of a structure (``tapetui.record.leaves.Leaves``)."""

    def ref_for(self, obj: Any, boundary: bool = True, name: str | None = None) -> int | None: ...
    def ref(self, obj: Any, name: str | None = None) -> int: ...
