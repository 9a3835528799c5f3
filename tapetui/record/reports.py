"""The ``Observer`` methods of the ``Recorder`` that hand a report on to the book keeping it
(tapes, gradient calls, optimizers, step rows), without adding a call to the hooks' path."""

from __future__ import annotations

import sys
from types import FrameType
from typing import Any

from tapetui.record.frames import ScenarioFiles
from tapetui.record.gradients import GradientBook
from tapetui.record.library import LibraryPlaces
from tapetui.record.names import NameScanner
from tapetui.record.naming import Naming
from tapetui.record.observer import Where
from tapetui.record.optimizers import OptimizerWatch
from tapetui.record.steps import StepRows
from tapetui.record.tapes import TapeBook
from tapetui.trace.model import flatten


class BookReports:
    """Mixed into ``Recorder``, whose books these are."""

    files: ScenarioFiles
    tapes: TapeBook
    gradients: GradientBook
    optimizers: OptimizerWatch
    naming: Naming
    names: NameScanner
    places: LibraryPlaces
    steps: StepRows | None

    def where(self, frame: FrameType | None = None) -> Where:
        raise NotImplementedError  # the Recorder's

    @property
    def gradient_depth(self) -> int:
        return self.gradients.depth

    @gradient_depth.setter
    def gradient_depth(self, depth: int) -> None:
        if self.steps is not None:  # summarised: no frame is read for names, none is held
            self.gradients.depth = depth
            return
        if depth and not self.gradients.depth:  # the scenario's frame waits for the call
            frame = self.places.scenario_at(sys._getframe(1))[0]
            if frame is not None:
                self.names.hold(frame)
        elif not depth:
            self.names.release()
        self.gradients.depth = depth

    def on_tape_created(self, gt: Any, persistent: bool, watch_accessed: bool) -> None:
        place = self.files.place(sys._getframe(1))
        self.tapes.created(gt, persistent, watch_accessed, self.where(), place=place)

    def innermost_tape(self) -> Any:
        return self.tapes.innermost_active()

    def on_tape_enter(self, gt: Any, parent: Any) -> None:
        self.tapes.entered(gt, parent, self.where())

    def on_tape_exit(self, gt: Any, *_: Any) -> None:
        self.tapes.exited(gt, self.where())

    def on_tape_pushed(self, gt: Any, *_: Any) -> None:
        self.tapes.pushed(gt)

    def on_tape_popped(self, gt: Any, *_: Any) -> None:
        self.tapes.popped(gt)

    def on_tape_reset(self, gt: Any) -> None:
        self.tapes.reset(gt, self.where())

    def on_stop_recording(self, gt: Any, stopped: bool) -> None:
        self.tapes.stop_recording(gt, stopped, self.where())

    def on_watch(self, gt: Any, structure: Any, error: BaseException | None) -> None:
        self.tapes.watch(gt, structure, error, self.where())

    def on_variables_accessed(self, variables: list[Any]) -> None:
        self.tapes.variables_accessed(variables)

    def gradient_begin(self, gt: Any, method: str, arguments: dict[str, Any], inside: bool) -> Any:
        return self.gradients.begin(gt, method, arguments, inside)

    def gradient_end(self, begun: Any, result: Any, error: BaseException | None) -> None:
        self.gradients.end(begun, result, error)

    def on_gradient_returned(self, arguments: dict[str, Any], result: Any) -> None:
        self.optimizers.returned(arguments, result)
        self.naming.distinguish_sources(arguments)

    def on_backward_step(self, *args: Any) -> None:
        self.gradients.backward_step(*args)

    def on_custom_step(
        self, op_type: str, in_ids: list[int], out_ids: list[int], grads: list[Any], made: list[Any]
    ) -> None:
        self.gradients.step(op_type, in_ids, out_ids, grads, (), made, custom=True)

    def on_missing_gradients(
        self, grads: list[Any], variables: list[Any], error: BaseException | None
    ) -> None:
        self.optimizers.met(grads, variables, error)

    def lean_entered(self, gt: Any, frame: FrameType) -> None:
        self._rows().entered(gt, frame)

    def lean_exited(self, gt: Any, frame: FrameType) -> None:
        self._rows().exited(gt, frame)

    def lean_called(
        self, gt: Any, arguments: dict[str, Any], inside: bool, frame: FrameType, **how: Any
    ) -> None:
        """A summarised gradient call returned (or raised: ``how["error"]``)."""
        sources, results = self._rows().called(gt, arguments, inside, frame, **how)
        if how["error"] is not None:
            return
        sources, results = _flat(sources), _flat(results)
        if any(r is not None and r < 0 for r in (*sources, *results)):
            # A leaf with an id of tapetui's own (an ``IndexedSlices``, a number): looked at anew.
            self.on_gradient_returned(arguments, how["result"])
        else:  # tensors, variables and Nones: the row's ids are theirs
            self.optimizers.returned_refs(sources, results)
            self.naming.distinguish_refs(sources)

    def _rows(self) -> StepRows:
        """The step rows, made when summarising starts (before the lean wrappers are installed)."""
        rows = self.steps
        assert rows is not None
        return rows


def _flat(ids: Any) -> list[Any]:
    """``flatten`` of a structure of ids, at once for the common one: a flat list of them."""
    if type(ids) is list and all(type(i) is int or i is None for i in ids):
        return ids
    return flatten(ids)
