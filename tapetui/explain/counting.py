"""Counts in words: ``1 tape``, ``2 tapes`` — never ``1 tapes``."""

from __future__ import annotations


def plural(count: object, word: str) -> str:
    """``count`` and ``word``, with an ``s`` unless the count is exactly 1."""
    return f"{count} {word}{'' if count == 1 else 's'}"
