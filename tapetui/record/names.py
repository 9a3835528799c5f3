"""The Python names the scenario bound its tensors, variables, tapes and layers to.

Names are read from the scenario's frame whenever the recorder hears from TensorFlow. That
happens on every op, so two shortcuts keep it cheap without changing what is found:

- while one call from the scenario is still running (the same frame object below the
  scenario's, at the same instruction), the scenario's bindings cannot have changed: no rescan;
- a binding seen before (the same name to the same object) whose naming is settled is skipped.

Unsettled bindings (a Keras layer, which gets its variables when a call builds it) are looked at
again every time.
"""

from __future__ import annotations

from collections.abc import Callable
from types import FrameType
from typing import Any

_FRAMES_REMEMBERED = 8
_NOTHING = object()

TakeName = Callable[[str, Any], bool]
"""Gives ``name`` to ``value``; True when that is settled (another look would find nothing new)."""


class NameScanner:
    """Reads a scenario frame's bindings, passing the ones not seen before to ``take``."""

    def __init__(self, take: TakeName) -> None:
        self.take = take
        self._last: tuple[Any, ...] = ()
        """(scenario frame, instruction, frame it called) at the last scan."""
        self._settled: dict[int, dict[str, Any]] = {}
        """Per frame (by id; a reused id only costs a miss): name -> object already settled."""
        self._unsettled: list[tuple[str, Any]] = []
        """Bindings of the last scanned frame that must be looked at again on every scan."""

    def maybe_scan(self, frame: FrameType, child: FrameType | None) -> None:
        """Scan ``frame`` unless it is still inside the call it was in at the last scan."""
        last = self._last
        if (
            child is not None
            and last
            and last[0] is frame
            and last[2] is child
            and last[1] == frame.f_lasti
        ):
            for name, value in self._unsettled:
                self.take(name, value)
            return
        # Holding the frames keeps their ids from being reused by a later call.
        self._last = (frame, frame.f_lasti, child)
        self.scan(frame)

    def scan(self, frame: Any) -> None:
        """Every binding of ``frame`` (an object with ``f_locals``), lists and tuples one deep."""
        settled = self._settled_for(frame)
        self._unsettled = unsettled = []
        for name, value in list(frame.f_locals.items()):
            if settled.get(name, _NOTHING) is value or name.startswith("__"):
                continue
            done = self.take(name, value)
            if not done:
                unsettled.append((name, value))
            if type(value) in (list, tuple) and len(value) <= 16:
                for i, item in enumerate(value):
                    done = self.take(f"{name}[{i}]", item) and done
                done = done and type(value) is tuple  # a list's items may change
            if done:
                settled[name] = value

    def forget(self) -> None:
        self._last = ()
        self._settled.clear()
        self._unsettled = []

    def _settled_for(self, frame: Any) -> dict[str, Any]:
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
