"""Text from a scenario or a trace made safe to show: every control character becomes visible.

A scenario's output, an exception message or a name in a trace may hold terminal escape
sequences (``\\x1b]0;title\\x07`` sets the window title, ``\\x1b]52;c;…`` writes the clipboard,
``\\x1bc`` resets the screen). Shown as they are, they would act on the user's terminal; here
each control character is replaced by a visible stand-in, so ``\\x1b]52;c;…`` reads ``␛]52;c;…``:

- C0 (U+0000–U+001F) by its Unicode control picture (``␛``, ``␇``, ``␍``, U+2400 onwards),
  except newline and tab, which are kept (``printable_line`` shows them too);
- DEL (U+007F) by ``␡``;
- C1 (U+0080–U+009F) by ``␛`` and the 7-bit character it stands for (U+009B, the one-character
  CSI, reads ``␛[``), as ECMA-48 defines them.

Plain Python, used by the report and the debugger alike.
"""

from __future__ import annotations

import re

_C0_PICTURES = {code: chr(0x2400 + code) for code in range(0x20)}
_DEL = {0x7F: "\u2421"}
_C1 = {code: "\u241b" + chr(code - 0x40) for code in range(0x80, 0xA0)}

_KEEP_LAYOUT = {code: picture for code, picture in _C0_PICTURES.items() if code not in (9, 10)}
TABLE: dict[int, str] = {**_KEEP_LAYOUT, **_DEL, **_C1}
"""Every control character but newline and tab, and what it is shown as."""
LINE_TABLE: dict[int, str] = {**_C0_PICTURES, **_DEL, **_C1}
"""The same, newline and tab included (for text that must stay on one line)."""

CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
"""A control character that ``printable`` replaces."""
_ANY_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """``text`` with every control character except newline and tab shown visibly."""
    return text.translate(TABLE) if CONTROL.search(text) else text


def printable_line(text: str) -> str:
    """``text`` on one line: every control character, newline and tab included, shown visibly."""
    return text.translate(LINE_TABLE) if _ANY_CONTROL.search(text) else text


def has_control(text: str) -> bool:
    """Whether ``text`` holds a control character other than newline and tab."""
    return CONTROL.search(text) is not None


def json_safe(text: str) -> str:
    """JSON text with DEL and C1 characters written as ``\\u`` escapes.

    ``json.dumps(..., ensure_ascii=False)`` escapes C0 characters but writes DEL and C1 as they
    are, and a terminal may act on those (U+009B is CSI). JSON's structure is ASCII, so these
    characters only occur inside strings, where the escape is the same JSON value.
    """
    return re.sub("[\x7f-\x9f]", lambda m: f"\\u{ord(m.group()):04x}", text)
