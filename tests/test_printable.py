"""``printable``: every control character but newline and tab is shown, never sent."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tapetui.trace.printable import has_control, printable, printable_line


def test_escape_sequences_read_as_what_they_are() -> None:
    assert printable("\x1b]0;title\x07") == "␛]0;title␇"
    assert printable("\x1b]52;c;aGk=\x07") == "␛]52;c;aGk=␇"
    assert printable("\x1bc") == "␛c"
    assert printable("\x1b[31mred\x1b[0m") == "␛[31mred␛[0m"


def test_del_and_c1_are_visible_too() -> None:
    assert printable("a\x7fb") == "a␡b"
    assert printable("\x9b2J") == "␛[2J"  # the one-character CSI
    assert printable("\x9d0;t\x9c") == "␛]0;t␛\\"  # OSC … ST


def test_newline_and_tab_are_kept_except_on_one_line() -> None:
    assert printable("a\tb\nc\r") == "a\tb\nc␍"
    assert printable_line("a\tb\nc") == "a␉b␊c"


def test_plain_text_is_returned_as_it_is() -> None:
    text = "x = tf.Variable(3.0)  # ∂z/∂x, 漢字, [b]markup[/b]"
    assert printable(text) is text


@given(st.text())
def test_nothing_printable_returns_holds_a_control(text: str) -> None:
    shown = printable(text)
    assert not has_control(shown)
    assert shown.count("\n") == text.count("\n") and shown.count("\t") == text.count("\t")
    assert not has_control(printable_line(text)) and "\n" not in printable_line(text)
