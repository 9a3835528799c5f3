"""Text from a scenario or a trace made safe to show: every control character becomes visible.

A scenario's output, an exception message or a name in a trace may hold terminal escape
sequences (``\\x1b]0;title\\x07`` sets the window title, ``\\x1b]52;c;…`` writes the clipboard,
``\\x1bc`` resets the screen). Shown as they are, they would act on the user's terminal; here
each control character is replaced by a visible stand-in, so ``\\x1b]52;c;…`` reads ``␛]52;c;…``:

- C0 (U+0000–U+001F) by its Unicode control picture (``␛``, ``␇``, ``␍``, U+2400 onwards),
  except newline and tab, which are kept (``printable_line`` shows them too);
- DEL (U+007F) by ``␡``;
- C1 (U+0080–U+009F) by ``␛`` and the 7-bit character it stands for (U+009B, the one-character
  CSI, reads ``␛[``), as ECMA-48 defines them;
- the invisible characters that reorder or hide text (bidirectional embeddings, overrides and
  isolates such as U+202E, zero-width spaces and joiners, U+FEFF, the line and paragraph
  separators, Unicode tags) by their code point, ``<U+202E>``: a name or a source line that
  reads one way and is another cannot pass for the other. A zero-width joiner or non-joiner
  between two non-ASCII characters (an emoji sequence, Persian or Devanagari text) is kept.

Plain Python, used by the report and the debugger alike.
"""

from __future__ import annotations

import re

_C0_PICTURES = {code: chr(0x2400 + code) for code in range(0x20)}
_DEL = {0x7F: "\u2421"}
_C1 = {code: "\u241b" + chr(code - 0x40) for code in range(0x80, 0xA0)}

_INVISIBLE_RANGES = (
    (0x061C, 0x061C), (0x180E, 0x180E), (0x200B, 0x200F), (0x2028, 0x202E), (0x2060, 0x2064),
    (0x2066, 0x206F), (0xFEFF, 0xFEFF), (0xFFF9, 0xFFFB), (0xE0001, 0xE0001), (0xE0020, 0xE007F),
)  # fmt: skip
"""The invisible format characters shown by their code point (bidirectional marks, embeddings,
overrides and isolates, zero-width spaces and joiners, the line and paragraph separators, the
byte-order mark, interlinear annotations, tags)."""
_INVISIBLE = "".join(f"{chr(a)}-{chr(b)}" for a, b in _INVISIBLE_RANGES)
"""The same, as the inside of a regular expression's character class."""
_JOINERS = "\u200c\u200d"
_INVISIBLE_NAMES = {
    code: f"<U+{code:04X}>"
    for first, last in _INVISIBLE_RANGES
    for code in range(first, last + 1)
    if chr(code) not in _JOINERS
}

_KEEP_LAYOUT = {code: picture for code, picture in _C0_PICTURES.items() if code not in (9, 10)}
TABLE: dict[int, str] = {**_KEEP_LAYOUT, **_DEL, **_C1, **_INVISIBLE_NAMES}
"""Every control character but newline and tab, and what it is shown as (the joiners are
decided by their neighbours, ``_LONE_JOINER``)."""
LINE_TABLE: dict[int, str] = {**_C0_PICTURES, **_DEL, **_C1, **_INVISIBLE_NAMES}
"""The same, newline and tab included (for text that must stay on one line)."""

CONTROL = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_INVISIBLE}]")
"""A control character that ``printable`` replaces (or a joiner it may)."""
_ANY_CONTROL = re.compile(f"[\x00-\x1f\x7f-\x9f{_INVISIBLE}]")
_LONE_JOINER = re.compile(f"(?<![^\x00-\x7f])[{_JOINERS}]|[{_JOINERS}](?![^\x00-\x7f])")
"""A zero-width joiner or non-joiner without a non-ASCII character on each side."""


def _shown(text: str, table: dict[int, str]) -> str:
    text = text.translate(table)
    if "\u200c" in text or "\u200d" in text:
        text = _LONE_JOINER.sub(lambda m: f"<U+{ord(m.group()):04X}>", text)
    return text


def printable(text: str) -> str:
    """``text`` with every control character except newline and tab shown visibly."""
    return _shown(text, TABLE) if CONTROL.search(text) else text


def printable_line(text: str) -> str:
    """``text`` on one line: every control character, newline and tab included, shown visibly."""
    return _shown(text, LINE_TABLE) if _ANY_CONTROL.search(text) else text


def has_control(text: str) -> bool:
    """Whether ``text`` holds a control character other than newline and tab (or an invisible
    one ``printable`` shows by its code point)."""
    return printable(text) != text


def json_safe(text: str) -> str:
    """JSON text with DEL and C1 characters written as ``\\u`` escapes.

    ``json.dumps(..., ensure_ascii=False)`` escapes C0 characters but writes DEL and C1 as they
    are, and a terminal may act on those (U+009B is CSI). JSON's structure is ASCII, so these
    characters only occur inside strings, where the escape is the same JSON value.
    """
    return _JSON_ESCAPED.sub(_json_escape, text)


_JSON_ESCAPED = re.compile(f"[\x7f-\x9f{_INVISIBLE}]")


def _json_escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x10000:
        return f"\\u{code:04x}"
    high, low = divmod(code - 0x10000, 0x400)  # JSON spells it as a UTF-16 surrogate pair
    return f"\\u{0xD800 + high:04x}\\u{0xDC00 + low:04x}"
