"""Traces whose text is hostile: Rich/Textual markup, action links, control characters and
terminal escape sequences in every string field, and helpers that read what reached the screen.

``hostile_trace()`` is a small consistent trace (a tape, a watch that raised, an ignored watch,
two gradient calls, the second raising, output on both streams, a traceback) with those strings
where a user would read them; ``every_string_hostile()`` replaces every string anywhere in a
trace (enumerations included) for the crash tests.
"""

from __future__ import annotations

import dataclasses
import io
import re
from typing import Any

from rich.console import Console

from tapetui.trace import (
    BackwardStepEvent,
    ErrorEvent,
    ErrorInfo,
    GradientCall,
    GradientCallEvent,
    OpEvent,
    OutputEvent,
    Tape,
    TapeEnterEvent,
    TapeExitEvent,
    Tensor,
    Trace,
    Variable,
    WatchEvent,
    WatchItem,
)
from tapetui.trace.printable import printable, printable_line

TITLE = "\x1b]0;pwned\x07"
CLIPBOARD = "\x1b]52;c;aGk=\x07"
RESET = "\x1bc"
CLEAR = "\x1b[2J"
C1_CSI = "\x9b31m"
ESCAPES = (TITLE, CLIPBOARD, RESET, CLEAR, C1_CSI, "\x7f", "\x00", "\x08", "\r")
MARKUP = ("[b]", "[/]", "[link=file:///etc/passwd]L[/link]", "[@click=app.quit]Q[/]")


def hostile(tag: str) -> str:
    """``[b]tag[/]`` and a window-title sequence: short enough to survive the panes' cuts."""
    return f"[b]{tag}[/]{TITLE}"


def shown(text: str) -> str:
    """How ``text`` reads on screen (controls visible, on one line)."""
    return printable_line(text)


FILE = "[red]x" + TITLE + ".py"
"""The scenario's file name: markup and an escape sequence."""
ERROR_TYPE = "[blink]Error[/blink]"
ACTION = "[@click=app.quit]Q[/]"
LINK = "[link=file:///etc/passwd]L[/link]"
ERROR_MESSAGE = f"{ACTION} {LINK} [/] {CLIPBOARD}{RESET}"
CALL_ERROR = "[blink]CallError[/blink]"
SOURCE_LINES = [
    "import tensorflow as tf",
    f"x = tf.constant(3.0)  # {ACTION} {CLEAR}",
    f"W = tf.Variable(2.0)  # {LINK} [/]",
    "with tf.GradientTape() as tape:",
    "    tape.watch(x)",
    "    y = x * W",
    f"    z = y * y  # {C1_CSI} \x7f",
    "g = tape.gradient(z, [x, W])",
    "h = tape.gradient(z, x)",
    f"raise Error('{ERROR_MESSAGE}')",
]
STDOUT = f"out [b]bold[/b] {ACTION} {TITLE}{CLIPBOARD}\nsecond line {RESET}{CLEAR}\n"
STDERR = f"err [/] {LINK} {C1_CSI}\x00\x08\r\n"
TRACEBACK = (
    "Traceback (most recent call last):\n"
    f'  File "{FILE}", line 10, in <module>\n'
    f"{ERROR_TYPE}: {ERROR_MESSAGE}\n"
)

NAMES = {
    "x": hostile("x"),
    "W": hostile("W"),
    "y": hostile("y"),
    "z": hostile("z"),
    "tape": hostile("tp"),
    "variable": "[i]weight[/i]",
    "function": hostile("fn"),
    "ignored": hostile("ig"),
    "reason": f"[dim]not float[/] {CLEAR}",
    "watch_error": f"[red]Keras[/red] {ACTION}",
}


def _tensors() -> dict[int, Tensor]:
    f = FILE
    tensors = [
        Tensor(10, "float32", [], 3.0, name=NAMES["x"], file=f, line=2),
        Tensor(11, "float32", [], 6.0, name=NAMES["y"], producer=1, file=f, line=6),
        Tensor(12, "float32", [], 36.0, name=NAMES["z"], producer=2, file=f, line=7),
        Tensor(13, "float32", [], 2.0, variable=100, producer=3, file=f, line=6),
        Tensor(20, "float32", [], 1.0),
        Tensor(21, "float32", [], 12.0),
        Tensor(22, "float32", [], 12.0),
        Tensor(23, "float32", [], 24.0),
        Tensor(24, "float32", [], 48.0),
        Tensor(30, "float32", [], 7.0),
    ]
    return {t.id: t for t in tensors}


def _calls() -> dict[int, GradientCall]:
    first = GradientCall(
        1, 1, "gradient", FILE, 8, 12, 12, [10, 100], results=[23, None],
        target_ids=[12], source_ids=[10, 100], result_ids=[23, None],
    )  # fmt: skip
    second = GradientCall(
        2, 1, "gradient", FILE, 9, 13, 12, 10, results=None,
        error=ErrorInfo(CALL_ERROR, ERROR_MESSAGE, FILE, 9),
        target_ids=[12], source_ids=[10], result_ids=[],
    )  # fmt: skip
    return {1: first, 2: second}


def _events() -> list[Any]:
    f = FILE
    watch = WatchEvent(
        1, f, 5, tape=1, error=NAMES["watch_error"],
        items=[
            WatchItem(10, NAMES["x"], "watched"),
            WatchItem(30, NAMES["ignored"], "ignored", NAMES["reason"]),
        ],
    )  # fmt: skip
    mul = OpEvent(3, f, 6, op=1, op_type="Mul", inputs=[10, 13], outputs=[11], recorded_by=[1])
    mul.function, mul.attrs = NAMES["function"], {"T": hostile("attr")}
    return [
        TapeEnterEvent(0, f, 4, tape=1),
        watch,
        OpEvent(2, f, 6, op=3, op_type="ReadVariableOp", inputs=[100], outputs=[13]),
        mul,
        OpEvent(4, f, 7, op=2, op_type="Mul", inputs=[11, 11], outputs=[12], recorded_by=[1]),
        TapeExitEvent(5, f, 7, tape=1),
        BackwardStepEvent(6, f, 7, call=1, op=2, op_type="Mul", upstream=[20], produced=[21, 22]),
        BackwardStepEvent(7, f, 6, call=1, op=1, op_type="Mul", upstream=[24], produced=[23, None]),
        GradientCallEvent(8, f, 8, call=1),
        GradientCallEvent(9, f, 9, call=2),
        OutputEvent(10, f, 9, stream="stdout", text=STDOUT),
        OutputEvent(11, f, 9, stream="stderr", text=STDERR),
        ErrorEvent(12, f, 10, type=ERROR_TYPE, message=ERROR_MESSAGE),
    ]


def hostile_trace() -> Trace:
    """x = 3, W = 2 (a variable the tape never watched), y = x·W, z = y²; dz/dx = 48 and
    dz/dW None; a second call raises; the scenario raises at line 10."""
    trace = Trace(
        scenario=FILE,
        status="raised",
        exit_code=1,
        sources={FILE: "\n".join(SOURCE_LINES) + "\n"},
        error=ErrorInfo(ERROR_TYPE, ERROR_MESSAGE, FILE, 10, TRACEBACK),
        meta={"note": hostile("meta")},
    )
    trace.tensors = _tensors()
    trace.variables = {
        100: Variable(100, NAMES["variable"], "float32", [], True, pyname=NAMES["W"], data=2.0)
    }
    trace.tapes = {
        1: Tape(1, FILE, 4, False, True, enter_seq=0, exit_seq=5, watched=[10], label=NAMES["tape"])
    }
    trace.gradient_calls = _calls()
    trace.events = _events()
    trace.reindex()
    return trace


def every_string_hostile(trace: Trace) -> Trace:
    """``trace`` with every string in it (keys of ``sources``/``attrs``/``meta`` too, and
    enumerations such as ``status`` and ``dtype``) replaced; one string maps to one replacement
    everywhere, so file names still match ``sources``."""
    seen: dict[str, str] = {}

    def swap(text: str) -> str:
        if text not in seen:
            seen[text] = f"{hostile(str(len(seen)))}{ACTION}{LINK}{CLIPBOARD}{RESET}"
        return seen[text]

    def walk(value: Any) -> Any:
        if isinstance(value, str):
            return swap(value)
        if isinstance(value, list):
            return [walk(v) for v in value]
        if isinstance(value, dict):
            return {walk(k) if isinstance(k, str) else k: walk(v) for k, v in value.items()}
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            for f in dataclasses.fields(value):
                setattr(value, f.name, walk(getattr(value, f.name)))
        return value

    trace.scenario = swap(trace.scenario)
    trace.status = swap(trace.status)
    trace.sources = walk(trace.sources)
    trace.meta = walk(trace.meta)
    trace.error = walk(trace.error)
    for table in (trace.tensors, trace.variables, trace.tapes, trace.gradient_calls):
        for item in table.values():
            walk(item)
    trace.events = walk(trace.events)
    trace.reindex()
    return trace


# --- what reached the screen ---------------------------------------------------------------------

_OUR_SEQUENCES = re.compile(r"\x1b\[[0-9;:?]*[A-Za-z]")
"""What Rich itself writes to draw a screen: cursor moves and SGR styles (CSI … letter)."""


def render(app: Any) -> tuple[str, str]:
    """The current screen as the terminal would receive it, and as plain text (drawn as
    ``App.export_screenshot`` draws it, from Textual 8.2.8's compositor)."""
    width, height = app.size
    console = Console(
        width=width, height=height, file=io.StringIO(), force_terminal=True,
        color_system="truecolor", record=True, legacy_windows=False, safe_box=False,
    )  # fmt: skip
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    console.print(update)
    raw = console.file.getvalue()  # type: ignore[attr-defined]
    return raw, console.export_text()


def stray_controls(raw: str) -> list[str]:
    """Control characters in the terminal output other than Rich's own CSI sequences."""
    rest = _OUR_SEQUENCES.sub("", raw)
    return sorted({repr(c) for c in rest if c != "\n" and printable(c) != c})
