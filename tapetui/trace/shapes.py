"""Tensors whose expressions are written alike, found without writing them.

A label reads at most :data:`~tapetui.trace.labels.LIMIT` characters, and every op in it takes
one at least, so it is made from the tensor's expression tree no deeper than that: two tensors
whose trees are the same to that depth (a loop's step after step, each starting from the same
variables) have the same label. Each tensor's tree gets a small integer, the same for the same
tree, so a label is written once per tree, not once per tensor. A taller tree (a running sum
over the whole loop) gets none, and its label is written as before.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable

from tapetui.trace.expressions import Node

DEPTH = 34
"""How deep a tree may be to get a key: deeper than any label reads (``LIMIT`` + 2)."""
NONE = -1
"""No key: the tree is deeper than :data:`DEPTH`."""


class Shapes:
    """The key of each tensor's expression tree, made once per tensor."""

    def __init__(self) -> None:
        self._keys: dict[int, int] = {}
        self._taller: dict[int, int] = {}
        """A tensor whose tree has no key from ``depth`` down: the least such ``depth``."""
        self._interned: dict[Hashable, int] = {}

    def key(self, ref: int, node: Callable[[int], Node], depth: int = 0) -> int:
        """The key of ``ref``'s tree, or :data:`NONE` when it is deeper than ``DEPTH - depth``."""
        found = self._keys.get(ref)
        if found is not None:
            return found
        taller = self._taller.get(ref)
        if depth >= DEPTH or (taller is not None and depth >= taller):
            return NONE
        made = node(ref)
        children: list[int] = []
        for child in made.children:
            key = self.key(child, node, depth + 1)
            if key == NONE:
                self._taller[ref] = min(depth, taller if taller is not None else depth)
                return NONE
            children.append(key)
        shape = (made.text, made.precedence, made.form, made.suffix, made.extra, tuple(children))
        key = self._interned.setdefault(shape, len(self._interned))
        self._keys[ref] = key
        return key
