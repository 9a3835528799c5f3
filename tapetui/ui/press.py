"""``--press``: the keys a headless screenshot presses first, checked before anything starts.

Keys are Textual's names (``n``, ``ctrl+p``, ``question_mark``, ``escape``), comma-separated,
and ``wait:MS`` pauses for MS milliseconds, as Textual's pilot reads them.
"""

from __future__ import annotations

import math
import unicodedata

from textual.keys import KEY_ALIASES, KEY_TO_UNICODE_NAME, REPLACED_KEYS, Keys

MODIFIERS = frozenset({"ctrl", "shift", "alt", "meta", "super", "hyper"})
MAX_WAIT_MS = 60_000.0
"""The longest ``wait:MS`` (a minute)."""
_NAMED = frozenset(k.value for k in Keys) | frozenset(KEY_ALIASES) | frozenset(REPLACED_KEYS)


class PressError(ValueError):
    """A ``--press`` item Textual would not understand; the message is one sentence."""


def _named_key(name: str) -> bool:
    """A key without modifiers: one printable character, a named key, or a character's name."""
    if len(name) == 1:
        return name.isprintable() and not name.isspace()
    if name in _NAMED:
        return True
    try:
        unicodedata.lookup(KEY_TO_UNICODE_NAME.get(name, name.replace("_", " ").upper()))
    except KeyError:
        return False
    return True


def known_key(key: str) -> bool:
    """Whether Textual knows ``key`` (``n``, ``G``, ``ctrl+p``, ``shift+tab``, ``comma``)."""
    if key in _NAMED or _named_key(key):
        return True
    *modifiers, base = key.split("+")
    if not modifiers or len(set(modifiers)) != len(modifiers):
        return False
    return set(modifiers) <= MODIFIERS and base != "" and _named_key(base)


def _wait(item: str) -> None:
    value = item.removeprefix("wait:")
    try:
        ms = float(value)
    except ValueError:
        ms = math.nan
    if not 0 <= ms <= MAX_WAIT_MS:  # nan and inf included
        raise PressError(
            f"--press {item!r} is not a wait; write wait:MS with MS milliseconds from 0 to "
            f"{MAX_WAIT_MS:.0f}, e.g. wait:500"
        )


def parse_press(text: str) -> list[str]:
    """The keys of a ``--press`` value, in order; raises PressError naming a bad one."""
    keys = [key.strip() for key in text.split(",") if key.strip()]
    for key in keys:
        if key.startswith("wait:"):
            _wait(key)
        elif not known_key(key):
            raise PressError(
                f"--press: {key!r} is not a key name Textual knows; use names such as n, G, "
                "ctrl+p, question_mark, escape, enter, comma (wait:MS pauses)"
            )
    return keys
