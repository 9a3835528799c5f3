"""The Python names the scenario bound its tensors, variables, tapes and layers to.

Names are read from the scenario's frame whenever the recorder hears from TensorFlow. That
happens on every op, so two shortcuts keep it cheap without changing what is found:

- when a frame binds the very objects it bound at its last scan (the same ids, and every object
  that can be weakly referenced still alive, so no id was reused), nothing new can be found: no
  rescan (only the unsettled bindings are looked at again);
- a binding seen before (the same name to the same object) whose naming is settled is skipped.

Unsettled bindings (a Keras layer, which gets its variables when a call builds it) are looked at
again every time.

Nothing here keeps an object of the scenario alive: frames are known by id, bindings by id and
weak reference. A dead weak reference never matches, so a reused id costs a rescan, never a
missed name.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from types import FrameType
from typing import Any

_FRAMES_REMEMBERED = 8
_SEQUENCE_ITEMS = 16
"""Lists and tuples up to this long have their items named too (``pair[0]``)."""

TakeName = Callable[[str, Any], bool]
"""Gives ``name`` to ``value``; True when that is settled (another look would find nothing new)."""

_Ref = weakref.ReferenceType
_deref = _Ref.__call__


def _weak(value: Any) -> _Ref | None:
    """A weak reference to ``value``, or ``None`` for what cannot have one (ints, lists …)."""
    return _Ref(value) if type(value).__weakrefoffset__ else None


class FrameBindings:
    """What the last scan of one frame saw, by id and weak reference only."""

    __slots__ = ("ids", "ref_ids", "refs", "sequence_ids", "sequences", "settled", "unsettled")

    def __init__(self) -> None:
        self.ids: tuple[int, ...] | None = None
        """Ids of the bound values, in the frame's order."""
        self.refs: list[_Ref] = []
        """Weak references to every bound value (and list or tuple item) that takes one."""
        self.ref_ids: tuple[int, ...] = ()
        self.sequences: list[str] = []
        """Names bound to lists and tuples, whose items are named too."""
        self.sequence_ids: tuple[tuple[int, ...], ...] = ()
        self.settled: dict[str, int | _Ref] = {}
        """Name -> the object already settled: its weak reference, or its id where a reused
        id is harmless (a value the recorder has nothing to do with: an int, a plain tuple)."""
        self.unsettled: list[tuple[str, _Ref]] = []
        """Bindings that must be looked at again on every scan."""

    def unchanged(self, values: Any, bound: dict[str, Any]) -> bool:
        """True when ``bound`` binds the same objects (and list items) as at the last scan."""
        return (
            tuple(map(id, values)) == self.ids
            and tuple(map(id, map(_deref, self.refs))) == self.ref_ids
            and (
                not self.sequences
                or tuple(tuple(map(id, bound.get(n, ()))) for n in self.sequences)
                == self.sequence_ids
            )
        )


class NameScanner:
    """Reads a scenario frame's bindings, passing the ones not seen before to ``take``."""

    def __init__(self, take: TakeName) -> None:
        self.take = take
        self._frames: dict[int, FrameBindings] = {}
        """Per frame (by id: a reused id costs a rescan at most, see ``unchanged``)."""

    def maybe_scan(self, frame: FrameType) -> None:
        """Scan ``frame`` unless it binds what it bound at its last scan."""
        bindings = self._bindings_for(frame)
        bound = frame.f_locals
        if bindings.ids is not None and bindings.unchanged(bound.values(), bound):
            for name, ref in bindings.unsettled:
                value = ref()
                if value is not None:
                    self.take(name, value)
            return
        self._scan(bound, bindings)

    def scan(self, frame: Any) -> None:
        """Every binding of ``frame`` (an object with ``f_locals``), lists and tuples one deep."""
        self._scan(frame.f_locals, self._bindings_for(frame))

    def _scan(self, bound: dict[str, Any], bindings: FrameBindings) -> None:
        settled = bindings.settled
        take = self.take
        unsettled: list[tuple[str, _Ref]] = []
        refs: list[_Ref] = []
        sequences: list[str] = []
        items = list(bound.items())
        for name, value in items:
            ref = _weak(value)
            if ref is not None:
                refs.append(ref)
            entry = settled.get(name)
            if entry is not None and (
                entry() is value if type(entry) is _Ref else entry == id(value)
            ):
                continue
            if name.startswith("__"):
                continue
            done = take(name, value)
            if not done and ref is not None:
                unsettled.append((name, ref))
            plain = ref is None
            kind = type(value)
            if (kind is list or kind is tuple) and len(value) <= _SEQUENCE_ITEMS:
                sequences.append(name)
                for i, item in enumerate(value):
                    done = take(f"{name}[{i}]", item) and done
                    item_ref = _weak(item)
                    if item_ref is not None:
                        refs.append(item_ref)
                        plain = False
                done = done and kind is tuple  # a list's items may change
            if done and ref is not None:
                settled[name] = ref
            elif done and plain:
                settled[name] = id(value)  # a tuple of objects is not settled by an id
        self._remember(bindings, items, refs, sequences, unsettled)

    @staticmethod
    def _remember(
        bindings: FrameBindings,
        items: list[tuple[str, Any]],
        refs: list[_Ref],
        sequences: list[str],
        unsettled: list[tuple[str, _Ref]],
    ) -> None:
        bound = dict(items)
        bindings.ids = tuple(id(v) for _, v in items)
        bindings.refs = refs
        bindings.ref_ids = tuple(map(id, map(_deref, refs)))
        bindings.sequences = sequences
        bindings.sequence_ids = tuple(tuple(map(id, bound[n])) for n in sequences)
        bindings.unsettled = unsettled

    def forget(self) -> None:
        self._frames.clear()

    def _bindings_for(self, frame: Any) -> FrameBindings:
        key = id(frame)
        bindings = self._frames.get(key)
        if bindings is None:
            if len(self._frames) >= _FRAMES_REMEMBERED:
                del self._frames[next(iter(self._frames))]
            bindings = self._frames[key] = FrameBindings()
        return bindings
