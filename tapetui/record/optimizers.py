"""A Keras optimizer given ``None`` gradients ("No gradients provided for any variable", or its
warning that gradients do not exist for some variables), linked to the gradient call that
returned those ``None``s.

The link is made by identity, never by text: the call is the most recent one on the same thread
whose result for each of the optimizer's variables is the very gradient the optimizer was given
(the same tensor, or ``None`` for ``None``).
"""

from __future__ import annotations

import threading
from collections import deque
from typing import Any

from tapetui.record import tf_objects as tfo
from tapetui.record.observer import CallCount, Journal
from tapetui.record.tf_hooks import EagerTensor
from tapetui.trace.events import MissingGradientsEvent
from tapetui.trace.model import flatten

_CALLS_KEPT = 8
"""Gradient calls remembered per thread (an optimizer applies the latest few)."""

Returned = tuple[int, dict[int, int | None]]
"""A gradient call's id, and its result for each source (by the source's id)."""


class OptimizerWatch:
    """Remembers each thread's last gradient calls, and reports an optimizer's missing ones."""

    def __init__(self, rec: Journal, calls: CallCount) -> None:
        self.rec = rec
        self.calls = calls
        self._calls: dict[int, deque[Returned]] = {}
        self._linked: dict[int, tuple[object, int]] = {}
        """Each thread's last report linked to a call: its variables and Nones, and the calls
        made by then."""

    def returned(self, arguments: dict[str, Any], result: Any) -> None:
        """A gradient call (numbered ``calls.count``) returned ``result``."""
        sources = flatten(arguments.get("sources", arguments.get("source")))
        results = flatten(result)
        by_source = {
            ref: _ref(r)
            for ref, r in zip(map(tfo.ref_of, sources), results, strict=False)
            if ref is not None
        }
        self._remember(by_source)

    def returned_refs(self, sources: list[Any], results: list[Any]) -> None:
        """``returned`` given the ids of the call's sources and results, flattened (as a
        summarised step's row has them: each a tensor's or a variable's id, or ``None``)."""
        self._remember({s: r for s, r in zip(sources, results, strict=False) if s is not None})

    def _remember(self, by_source: dict[int, int | None]) -> None:
        calls = self._calls.setdefault(threading.get_ident(), deque(maxlen=_CALLS_KEPT))
        calls.append((self.calls.count, by_source))

    def met(self, gradients: list[Any], variables: list[Any], error: BaseException | None) -> None:
        """The optimizer met ``None`` among ``gradients``; ``error`` is what it raised, if it did."""
        grads = [_ref(g) for g in gradients]
        refs = [tfo.ref_of(v) for v in variables]
        call, thread = self._call_of(grads, refs), threading.get_ident()
        seen = ((*refs,), (*(g is None for g in grads),)), self.calls.count
        if call is None and self._linked.get(thread) == seen:
            return  # Keras 2 filters its aggregated copies of the same gradients again
        if call is not None:
            self._linked[thread] = seen
        self.rec.event(
            MissingGradientsEvent,
            self.rec.where(),
            call=call,
            variables=[r for r in refs if r is not None],
            gradients=[g for g, r in zip(grads, refs, strict=False) if r is not None],
            outcome="warned" if error is None else "raised",
            message="" if error is None else str(error),
        )

    def _call_of(self, grads: list[int | None], refs: list[int | None]) -> int | None:
        for call, by_source in reversed(self._calls.get(threading.get_ident(), ())):
            if all(r in by_source and by_source[r] == g for g, r in zip(grads, refs, strict=False)):
                return call
        return None


def _ref(value: Any) -> int | None:
    if value is None:
        return None
    if type(value) is EagerTensor:  # the common gradient, told by its exact type
        ref: int = value._id
        return ref
    if tfo.ref_of(value) is None and type(value).__name__ == "IndexedSlices":
        value = value.values  # recorded as its values tensor, as the gradient call records it
    return tfo.ref_of(value)
