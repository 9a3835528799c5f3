"""The Python names the scenario bound its tensors, variables, tapes and layers to.

Names are read from the scenario's frame whenever the recorder hears from TensorFlow. That
happens on every op, so these shortcuts keep it cheap without changing what is found:

- a value of a type that is never named (a number, a string, a module, a function, a NumPy
  array) is passed over at once, by its type;
- a binding seen before (the same name to the same object) whose naming is settled is skipped;
- in a module's frame (a script's top level, where its globals are its bindings), only the names
  its code may have bound since the last read are looked at: none while one call (``fit``, a
  ``gradient``) runs op after op, one or two from one line to the next.

Lists and tuples (their items may change) are looked at again every time; a Keras layer (which
gets its variables when a call builds it) again whenever a variable was made since.

Nothing here keeps an object of the scenario alive: frames are known by id, settled bindings by
weak reference. A dead weak reference never matches, so a reused id costs another look, never a
missed name.
"""

from __future__ import annotations

import dis
import inspect
import operator
import types
import weakref
from collections.abc import Callable, Set
from threading import get_ident
from types import CodeType
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


class _Books:
    """What one frame's bindings were found to be, so that the next read can skip them."""

    __slots__ = ("sequences", "settled", "steady", "waiting")

    def __init__(self) -> None:
        self.settled: dict[str, _Ref[Any]] = {}
        """Name -> a weak reference to the object whose naming is settled."""
        self.waiting: dict[str, tuple[_Ref[Any], int]] = {}
        """Name -> (a Keras object, the generation it was last looked at in)."""
        self.sequences: dict[str, tuple[_Ref[Any] | None, ...] | None] = {}
        """Name -> a list's or tuple's items as last named (``None`` for an item never named),
        or ``None`` when they are to be looked at every time (a Keras layer among them)."""
        self.steady: dict[str, tuple[_Ref[Any], ...]] = {}
        """The sequences whose every item was named and settled: seen again with the very same
        items, there is nothing to look at (checked without a Python-level loop)."""


class NameScanner:
    """Reads a scenario frame's bindings, passing the ones not seen before to ``take``."""

    def __init__(self, take: TakeName, generation: Callable[[], int] | None = None) -> None:
        self.take = take
        self.generation = generation
        """How many variables exist so far: a Keras object's naming can only change when a
        variable was made since it was looked at (``None``: look at it every time)."""
        self._books: dict[int, _Books] = {}
        """Per frame, by id: a reused id only costs a miss (a dead weak reference never
        matches)."""
        self._at: tuple[int, CodeType | None, int] = (0, None, -1)
        """(the frame, its code, its instruction offset) of the last ``maybe_scan``."""
        self._codes: dict[int, _Stores] = {}
        self._held: dict[int, tuple[int, int]] = {}
        """Per thread, the frame ``hold`` was told is blocked in a call, and its instruction."""
        self._reading = 0
        """Reads under way: naming a tensor records it, which may read the frame again."""

    def maybe_scan(self, frame: Any) -> None:
        """Take the names ``frame`` binds that were not settled before. A module's frame (whose
        bindings are its globals, one frame for its whole run) is read in full only when it was
        not the last frame read; else only the names its code may have bound since the last
        read (``_Stores``), and those bound to lists, tuples or Keras objects."""
        code: CodeType = frame.f_code
        if (
            self._reading  # named inside a read: read it all, as a full read would
            or code.co_flags & _OPTIMIZED
            or (namespace := frame.f_locals) is not frame.f_globals
        ):
            self.scan(frame)
            return
        key, lasti = id(frame), frame.f_lasti
        last_key, last_code, last_lasti = self._at
        self._at = (key, code, lasti)
        if key != last_key or code is not last_code:
            self.scan(frame)
            return
        names: Set[str] | None
        if lasti == last_lasti and self._held and self._held.get(get_ident()) == (key, lasti):
            names = _NONE  # still blocked in the call it was making at the last read
        else:
            stores = self._codes.get(id(code))
            if stores is None:
                stores = self._codes[id(code)] = _Stores(code)
            names = stores.between(last_lasti, lasti)
        if names is None:
            self.scan(frame)
            return
        books = self._books_for(key)
        if not (names or books.sequences or books.waiting):
            return
        if books.sequences or books.waiting:
            names = {*names, *books.sequences, *books.waiting}
        wanted = self._unsettled(books, names, namespace)
        if not wanted:
            return
        now = self.generation() if self.generation is not None else -1
        self._reading += 1
        try:
            if len(wanted) == 1:
                self._look(books, wanted[0], namespace[wanted[0]], now)
                return
            for name in [name for name in list(namespace) if name in wanted]:  # a full read's order
                value = namespace.get(name, _MISSING)
                if value is not _MISSING and type(value) not in INERT:
                    self._look(books, name, value, now)
        finally:
            self._reading -= 1

    @staticmethod
    def _unsettled(books: _Books, names: Set[str], namespace: dict[str, Any]) -> list[str]:
        """The names in ``names`` bound to something not settled in ``books`` (a plain loop:
        it runs for every op, and a comprehension costs a function call more)."""
        settled, steady, inert, get, missing = (
            books.settled,
            books.steady,
            INERT,
            namespace.get,
            _MISSING,
        )
        wanted: list[str] = []
        for name in names:
            value = get(name, missing)
            if type(value) in inert or value is missing:
                continue
            entry = settled.get(name)
            if entry is not None and entry() is value:
                continue
            items = steady.get(name)
            if items is None or not _same_items(items, value):
                wanted.append(name)
        return wanted

    def scan(self, frame: Any) -> None:
        """Every binding of ``frame`` (an object with ``f_locals``), lists and tuples one deep."""
        books = self._books_for(id(frame))
        now = self.generation() if self.generation is not None else -1
        self._reading += 1
        try:
            for name, value in list(frame.f_locals.items()):
                if type(value) not in INERT:
                    self._look(books, name, value, now)
        finally:
            self._reading -= 1

    def _look(self, books: _Books, name: str, value: Any, now: int) -> None:
        """Take one binding unless its naming is settled (``now``: the generation)."""
        entry = books.settled.get(name)
        if (entry is not None and entry() is value) or name.startswith("__"):
            return
        kind = type(value)
        if kind in _CONTAINERS:
            if kind is not dict and len(value) <= _SEQUENCE_ITEMS:
                self._look_into(books, name, value)
            else:  # ``take`` names none of them: passed over (a list grown long: forgotten)
                books.sequences.pop(name, None)
                books.steady.pop(name, None)
            return
        held = books.waiting.get(name)
        if held is not None and held[0]() is value and held[1] == now >= 0:
            return
        done = self.take(name, value)
        books.sequences.pop(name, None)
        books.steady.pop(name, None)
        if kind.__weakrefoffset__:
            if done:
                books.settled[name] = _Ref(value)
                books.waiting.pop(name, None)
            else:
                books.waiting[name] = (_Ref(value), now)

    def _look_into(self, books: _Books, name: str, value: list[Any] | tuple[Any, ...]) -> None:
        """A list or tuple and its items (``pair[0]``), unless they are the ones named before."""
        known = books.sequences.get(name)
        if known is not None and len(known) == len(value):
            for ref, item in zip(known, value, strict=True):
                if (ref() is not item) if ref is not None else (type(item) not in INERT):
                    break
            else:
                return
        self.take(name, value)
        refs: list[_Ref[Any] | None] = []
        steady = True
        for i, item in enumerate(value):
            kind = type(item)
            if kind in INERT:
                refs.append(None)
            elif self.take(f"{name}[{i}]", item) and kind.__weakrefoffset__:
                refs.append(_Ref(item))
            else:
                steady = False
        books.sequences[name] = known = tuple(refs) if steady else None
        books.settled.pop(name, None)
        if known is not None and None not in known:
            books.steady[name] = known  # type: ignore[assignment]  # no None among them
        else:
            books.steady.pop(name, None)

    def hold(self, frame: Any) -> None:
        """``frame`` runs none of its own code until ``release`` (on this thread): it is blocked
        in the call it is making (``tape.gradient``), so reading it again at the same
        instruction finds no binding its code made. Its lists, tuples and Keras objects are
        still looked at on every read."""
        self._held[get_ident()] = (id(frame), frame.f_lasti)

    def release(self) -> None:
        self._held.pop(get_ident(), None)

    def forget(self) -> None:
        self._books.clear()
        self._at = (0, None, -1)

    def _books_for(self, key: int) -> _Books:
        books = self._books.get(key)
        if books is None:
            if len(self._books) >= _FRAMES_REMEMBERED:
                del self._books[next(iter(self._books))]
            books = self._books[key] = _Books()
        return books


def _same_items(refs: tuple[_Ref[Any], ...], value: Any) -> bool:
    """Whether ``value`` is a list or tuple of just the objects ``refs`` refer to, in order."""
    kind = type(value)
    return (
        (kind is list or kind is tuple)
        and len(value) == len(refs)
        and all(map(operator.is_, map(operator.call, refs), value))
    )


_OPTIMIZED = inspect.CO_OPTIMIZED
"""Set on a function's code: its frame's ``f_locals`` is a fresh copy of its locals."""
_BINDS = frozenset(
    {"STORE_NAME", "STORE_GLOBAL", "STORE_FAST", "STORE_DEREF"}
    | {"DELETE_NAME", "DELETE_GLOBAL", "DELETE_FAST", "DELETE_DEREF"}
)
_LOOPS_BACK = frozenset({"JUMP_BACKWARD", "JUMP_BACKWARD_NO_INTERRUPT"})
_MISSING = object()
_CONTAINERS = frozenset({list, tuple, dict})
"""Built-in containers: a list or tuple of a few items is looked into, and ``take`` names none
of them as such (none can be weakly referred to, so none is ever settled)."""
_NONE: frozenset[str] = frozenset()


class _Stores:
    """Which names a module's code may bind between two of its instructions: those bound by
    the instructions between them, and, when either lies inside a loop, everything the loop
    binds (it may have run again in between). ``None`` when anything may be bound (``import
    *``)."""

    def __init__(self, code: CodeType) -> None:
        self.code = code  # held: the cache is keyed by its id
        instructions = list(dis.get_instructions(code))
        self.star = any(i.opname == "IMPORT_STAR" for i in instructions)
        self.binds = [(i.offset, str(i.argval)) for i in instructions if i.opname in _BINDS]
        self.loops = [(int(i.argval), i.offset) for i in instructions if i.opname in _LOOPS_BACK]
        self._between: dict[tuple[int, int], frozenset[str] | None] = {}

    def between(self, start: int, end: int) -> frozenset[str] | None:
        known = self._between.get((start, end), _MISSING)
        if known is _MISSING:
            known = self._between[(start, end)] = self._work_out(start, end)
        return known  # type: ignore[return-value]

    def _work_out(self, start: int, end: int) -> frozenset[str] | None:
        if self.star:
            return None
        low, high = min(start, end), max(start, end)
        spans = [(low, high)] + [
            (top, bottom)
            for top, bottom in self.loops
            if top <= start <= bottom or top <= end <= bottom
        ]
        return frozenset(
            name for offset, name in self.binds if any(a <= offset <= b for a, b in spans)
        )


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
