"""The Python names the scenario bound its tensors, variables, tapes and layers to.

Names are read from the scenario's frame whenever the recorder hears from TensorFlow. That
happens on every op, so two shortcuts keep it cheap without changing what is found:

- a value of a type that is never named (a number, a string, a module, a function, a NumPy
  array) is passed over at once, by its type;
- a binding seen before (the same name to the same object) whose naming is settled is skipped.

Unsettled bindings (a Keras layer, which gets its variables when a call builds it) are looked at
again every time.

Nothing here keeps an object of the scenario alive: frames are known by id, settled bindings by
weak reference. A dead weak reference never matches, so a reused id costs another look, never a
missed name.
"""

from __future__ import annotations

import types
import weakref
from collections.abc import Callable
from typing import Any

import numpy as np

_FRAMES_REMEMBERED = 8
_SEQUENCE_ITEMS = 16
"""Lists and tuples up to this long have their items named too (``pair[0]``)."""

TakeName = Callable[[str, Any], bool]
"""Gives ``name`` to ``value``; True when that is settled (another look would find nothing new)."""

_Ref = weakref.ReferenceType

INERT: frozenset[type] = frozenset(
    {
        int,
        float,
        bool,
        complex,
        str,
        bytes,
        type(None),
        dict,
        set,
        np.ndarray,
        types.ModuleType,
        types.FunctionType,
        types.BuiltinFunctionType,
        types.MethodType,
        type,
    }
)
"""Types whose values never get a name (``take`` has nothing to do with them). Exact types: a
subclass, or a class with its own metaclass, is still looked at."""


class NameScanner:
    """Reads a scenario frame's bindings, passing the ones not seen before to ``take``."""

    def __init__(self, take: TakeName) -> None:
        self.take = take
        self._settled: dict[int, dict[str, _Ref[Any]]] = {}
        """Per frame (by id: a reused id only costs a miss): name -> a weak reference to the
        object whose naming is settled."""

    def maybe_scan(self, frame: Any) -> None:
        """Take the names ``frame`` binds that were not settled before."""
        self.scan(frame)

    def scan(self, frame: Any) -> None:
        """Every binding of ``frame`` (an object with ``f_locals``), lists and tuples one deep."""
        settled = self._settled_for(frame)
        take = self.take
        for name, value in list(frame.f_locals.items()):
            kind = type(value)
            if kind in INERT:
                continue
            entry = settled.get(name)
            if (entry is not None and entry() is value) or name.startswith("__"):
                continue
            done = take(name, value)
            if (kind is list or kind is tuple) and len(value) <= _SEQUENCE_ITEMS:
                for i, item in enumerate(value):
                    if type(item) not in INERT:
                        take(f"{name}[{i}]", item)
                continue  # a list's items may change; neither takes a weak reference
            if done and kind.__weakrefoffset__:
                settled[name] = _Ref(value)

    def forget(self) -> None:
        self._settled.clear()

    def _settled_for(self, frame: Any) -> dict[str, _Ref[Any]]:
        key = id(frame)
        settled = self._settled.get(key)
        if settled is None:
            if len(self._settled) >= _FRAMES_REMEMBERED:
                del self._settled[next(iter(self._settled))]
            settled = self._settled[key] = {}
        return settled


def distinct(names: list[str], alternatives: list[str | None]) -> list[str]:
    """``names`` with every repeat renamed: to its alternative (a Keras variable's full path)
    where that is free, else ``name#2``, ``name#3`` … — the first of each name keeps it."""
    taken: set[str] = set()
    out = []
    for name, alternative in zip(names, alternatives, strict=True):
        if name in taken:
            if alternative and alternative not in taken and alternative not in names:
                name = alternative
            else:
                count = 2
                while f"{name}#{count}" in taken or f"{name}#{count}" in names:
                    count += 1
                name = f"{name}#{count}"
        taken.add(name)
        out.append(name)
    return out
