"""Gradient calls and the real backward pass TensorFlow ran for each of them."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from tapetui.record import tf_objects as tfo
from tapetui.record.observer import Journal, LeafRefs, TapeIndex
from tapetui.record.threads import thread_name
from tapetui.record.values import capture
from tapetui.trace.events import BackwardStepEvent, GradientCallEvent, GradientSumEvent, OpEvent
from tapetui.trace.model import ErrorInfo, GradientCall, Tensor, flatten

_SUM_OPS = frozenset({"AddN", "AddV2", "Add"})
"""Ops TensorFlow's backward pass uses to add up several gradients of one tensor."""


@dataclass
class CallState:
    """One gradient call in progress: its record and what the backward pass produced so far."""

    record: GradientCall
    grad_for: dict[int, list[int]] = field(default_factory=dict)
    """Gradient tensor id -> the forward tensors it is the gradient of."""
    contributions: dict[int, list[int]] = field(default_factory=dict)
    """Forward tensor id -> the gradients flowing into it, in order."""
    summed: set[int] = field(default_factory=set)
    stepped: set[int] = field(default_factory=set)

    def add(self, forward: int, grad: int) -> None:
        self.contributions.setdefault(forward, []).append(grad)
        self.grad_for.setdefault(grad, []).append(forward)


class _ThisThread(threading.local):
    """A thread's gradient call in progress: TensorFlow runs each backward pass on the thread
    that asked for it, while other threads go on running their forward ops."""

    depth = 0
    """How many gradient calls of this thread are running (TensorFlow's own nest in them)."""
    current: CallState | None = None


class GradientBook:
    """Numbers gradient calls, tracks the one running, and maps backward steps to forward ops."""

    def __init__(self, rec: Journal, tapes: TapeIndex, leaves: LeafRefs) -> None:
        self.rec = rec
        self.tapes = tapes
        self.leaves = leaves
        self.count = 0
        self._here = _ThisThread()

    @property
    def depth(self) -> int:
        return self._here.depth

    @depth.setter
    def depth(self, depth: int) -> None:
        self._here.depth = depth

    @property
    def current(self) -> CallState | None:
        return self._here.current

    @current.setter
    def current(self, call: CallState | None) -> None:
        self._here.current = call

    def _refs(self, structure: Any, named: bool = False) -> Any:
        """The structure with every leaf replaced by its trace id (``None`` stays ``None``).

        With ``named``, a leaf the recorder has not met yet gets the name the scenario bound it
        to (summarised, its ops and their names are not recorded: the target still needs one).
        """
        if isinstance(structure, dict):
            return {str(k): self._refs(v, named) for k, v in structure.items()}
        if isinstance(structure, (list, tuple)):
            return [self._refs(v, named) for v in structure]
        if structure is None:
            return None
        name = self.rec.bound_name(structure) if named else None
        return self.leaves.ref_for(structure, name=name)

    def begin(self, gt: Any, method: str, arguments: dict[str, Any], inside: bool) -> CallState:
        where = self.rec.where()
        tape = self.tapes.state_of(gt)
        unconnected = arguments.get("unconnected_gradients", "none")
        self.count += 1
        record = GradientCall(
            id=self.count,
            tape=tape.id,
            method=method,
            file=where[0],
            line=where[1],
            seq=-1,
            target=None,
            sources=None,
            unconnected_gradients=str(getattr(unconnected, "value", unconnected)).lower(),
            inside_context=inside,
            thread=thread_name(),
        )
        self.current = CallState(record)
        try:  # whatever the arguments are, the call is recorded (it may raise in TF next)
            self._arguments(record, arguments)
        except Exception as exc:
            self.rec.note_internal_error(exc)
        return self.current

    def _arguments(self, record: GradientCall, arguments: dict[str, Any]) -> None:
        sources = arguments.get("sources", arguments.get("source"))
        record.target = self._refs(arguments.get("target"), named=self.rec.summarising)
        record.sources = self._refs(sources)
        record.output_gradients = self._refs(arguments.get("output_gradients"))
        record.target_ids = [r for r in flatten(record.target) if r is not None]
        record.source_ids = [r for r in flatten(record.sources) if r is not None]
        self.rec.name_target(arguments.get("target"))  # `loss`, as Keras's train_step named it

    def end(self, call: CallState | None, result: Any, error: BaseException | None) -> None:
        self.current = None
        if call is None:
            return
        record = call.record
        try:
            if not self.rec.summarising:
                self._finish_sums(call)
            if error is None:
                record.results = self._refs(result)
                record.result_ids = flatten(record.results)
        except Exception as exc:  # the call is still recorded, with what could be read
            self.rec.note_internal_error(exc)
        if error is not None:
            record.error = ErrorInfo(type(error).__name__, str(error), record.file, record.line)
        record.seq = self.rec.seq
        self.rec.emit("call", record)
        self.rec.event(GradientCallEvent, (record.file, record.line), call=record.id)
        if self.rec.summarising:
            self.rec.flush()

    # --- the backward pass ---------------------------------------------------------------------

    def backward_step(
        self,
        op_name: str,
        inputs: Any,
        outputs: Any,
        out_grads: Any,
        skip: Any,
        produced: list[Any],
    ) -> None:
        self.step(op_name, _ids(inputs), _ids(outputs), out_grads, skip, produced)

    def step(
        self,
        op_name: str,
        in_ids: Sequence[int | None] | None,
        out_ids: Sequence[int | None] | None,
        out_grads: Any,
        skip: Any,
        produced: list[Any],
        custom: bool = False,
    ) -> None:
        """One backward step, its forward tensors given by id (``custom``: a
        ``tf.custom_gradient``'s function ran, not the op's registered gradient)."""
        call = self.current
        if call is None or self.rec.summarising:
            return
        upstream = [self._grad_ref(g) for g in out_grads or ()]
        made = [self._grad_ref(g) for g in produced]
        op = self._forward_op(call, op_name, in_ids, out_ids, upstream)
        forward = self.rec.ops.get(op)
        skipped = sorted(int(i) for i in (skip or ()))
        if forward is not None:
            call.stepped.add(op)
            for i, grad in enumerate(made):
                if grad is not None and i < len(forward.inputs) and i not in skipped:
                    call.add(forward.inputs[i], grad)
        where = (forward.file, forward.line) if forward is not None else (None, None)
        self.rec.event(
            BackwardStepEvent,
            where,
            call=call.record.id,
            op=op,
            op_type=op_name,
            upstream=upstream,
            produced=made,
            skipped=skipped,
            custom=custom,
        )

    def _grad_ref(self, grad: Any) -> int | None:
        """The id of a gradient: a tensor, an ``IndexedSlices`` (densified) or a plain number
        a custom gradient returned (TensorFlow uses it as the value it is)."""
        return self.leaves.ref_for(grad, boundary=False)

    def _forward_op(
        self,
        call: CallState,
        op_name: str,
        in_ids: Sequence[int | None] | None,
        out_ids: Sequence[int | None] | None,
        upstream: list[int | None],
    ) -> int:
        """Our id of the forward op a backward step differentiates (0 when it cannot be told).

        TF hands the step the forward outputs or inputs only when the gradient needs them, so
        fall back on the gradients arriving: they were produced for known forward tensors.
        """
        rec = self.rec
        for ref in out_ids or ():
            if ref in rec.producer:
                return rec.producer[ref]
        if in_ids and None not in in_ids:
            candidates = rec.op_index.get((op_name, tuple(in_ids)), ())  # type: ignore[arg-type]
            fresh = [op for op in candidates if op not in call.stepped]
            if fresh or candidates:
                return (fresh or candidates)[-1]
        wanted = [f for g in upstream if g is not None for f in call.grad_for.get(g, [])]
        for ref in [*wanted, *call.record.target_ids]:
            op = rec.producer.get(ref)
            if op and rec.ops[op].op_type == op_name and op not in call.stepped:
                return op
        return 0

    def on_backward_op(self, event: OpEvent) -> None:
        """An op the backward pass ran: a function's gradient, or a sum of gradients."""
        call = self.current
        if call is None:
            return
        if event.function is not None:
            self._function_step(call, event)
        if event.op_type not in _SUM_OPS or len(event.inputs) < 2:
            return
        targets = [set(call.grad_for.get(g, ())) for g in event.inputs]
        common = set.intersection(*targets) if targets else set()
        for forward in common:
            call.summed.add(forward)
            call.grad_for.setdefault(event.outputs[0], []).append(forward)
            self._emit_sum(call, forward, list(event.inputs), event.outputs[0])

    def _function_step(self, call: CallState, event: OpEvent) -> None:
        """A ``tf.function``'s gradient runs as one backward function op, not through the
        gradient function TF calls per op: its inputs are the upstream gradients plus forward
        outputs the forward call saved, its outputs the gradients of the call's inputs."""
        rec = self.rec
        forward_ids = {rec.producer.get(i) for i in event.inputs} - {None}
        forwards = [rec.ops[o] for o in forward_ids if o is not None and not rec.ops[o].backward]
        forwards = [f for f in forwards if f.function == event.function]
        if len(forwards) != 1:
            return
        (forward,) = forwards
        call.stepped.add(forward.op)
        upstream = [i for i in event.inputs if i not in forward.outputs]
        for ref, grad in zip(forward.inputs, event.outputs, strict=False):
            call.add(ref, grad)
        self.rec.event(
            BackwardStepEvent,
            (forward.file, forward.line),
            call=call.record.id,
            op=forward.op,
            op_type=forward.op_type,
            upstream=upstream[: len(forward.outputs)],
            produced=list(event.outputs),
            skipped=[],
        )

    def _finish_sums(self, call: CallState) -> None:
        """Sums of a source's gradient TF did not run as an op we saw: computed from the values.

        Only sources: a tensor TF was not asked about may get contributions it never adds up.
        """
        for forward, grads in call.contributions.items():
            if len(grads) < 2 or forward in call.summed or forward not in call.record.source_ids:
                continue
            self._emit_sum(call, forward, grads, self._computed_sum(grads))

    def _computed_sum(self, grads: list[int]) -> int | None:
        found = [self.rec.tensors.get(g) for g in grads]
        records = [r for r in found if r is not None and r.data is not None]
        if len(records) < len(found):
            return None
        arrays: list[npt.NDArray[np.float64]] = [
            np.asarray(_decode(r.data), dtype=np.float64) for r in records
        ]
        total = sum(arrays)
        first = records[0]
        data, summary = capture(
            np.asarray(total), self.rec.budget.elements, self.rec.budget.preview
        )
        tensor = Tensor(self.rec.synthetic_id(), first.dtype, first.shape, data, summary)
        self.rec.tensors[tensor.id] = tensor
        self.rec.emit("tensor", tensor)
        return tensor.id

    def _emit_sum(self, call: CallState, forward: int, grads: list[int], total: int | None) -> None:
        origin = self.rec.tensors.get(forward) or self.rec.variables.get(forward)
        where = (origin.file, origin.line) if origin is not None else (None, None)
        self.rec.event(
            GradientSumEvent,
            where,
            call=call.record.id,
            tensor=forward,
            contributions=grads,
            total=total,
        )


def _ids(tensors: Any) -> list[int | None] | None:
    if tensors is None:
        return None
    return [None if t is None else tfo.ref_of(t) for t in tensors]


def _decode(data: Any) -> Any:
    if isinstance(data, list):
        return [_decode(d) for d in data]
    return float(data) if isinstance(data, str) else data
