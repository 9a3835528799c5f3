"""Where text from a scenario or a trace enters Rich and Textual: shown literally, never as markup.

Every string the debugger shows (names, source, output, exception types and messages, file
names, labels, the titles built from them) passes through here on its way into a renderable, so
``[b]`` or ``[@click=app.quit]`` in a trace is text, not a style or an action, and its control
characters are made visible (``tapetui.trace.printable``). The rest of the UI builds plain
strings and hands them over; nothing else builds markup.
"""

from __future__ import annotations

from rich.text import Text
from textual.content import Content

from tapetui.trace.printable import printable, printable_line


def literal(text: str, style: str = "") -> Text:
    """``text`` as a Rich ``Text`` (markup off), newlines kept, other controls visible."""
    return Text(printable(text), style=style or "")


def literal_line(text: str, style: str = "") -> Text:
    """``text`` on one line as a Rich ``Text``: newlines and tabs are shown as ``␊``, ``␉``."""
    return Text(printable_line(text), style=style or "", no_wrap=True, overflow="ellipsis")


def append_literal(text: Text, row: str, style: str = "") -> None:
    """Add ``row`` to ``text`` literally (newlines kept, other controls visible)."""
    text.append(printable(row), style=style or None)


def content_line(text: str) -> Content:
    """``text`` as one line of Textual ``Content`` (markup off): for titles and the status line.

    A ``str`` given to ``border_title``, ``Static.update`` or ``Label`` is read as Textual markup;
    ``Content`` is not.
    """
    return Content(printable_line(text))
