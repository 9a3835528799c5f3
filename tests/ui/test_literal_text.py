"""Text from a scenario or a trace is text: markup in it is shown as written, an action link in
it does nothing, and its control characters and escape sequences are shown, never sent."""

from __future__ import annotations

import asyncio

import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from tapetui.record.process import record
from tapetui.trace import Trace
from tapetui.ui.app import TapeTuiApp
from tapetui.ui.screens.debugger import DebuggerScreen
from tapetui.ui.screens.overview import OverviewScreen

from .handmade import square_twice
from .hostile import (
    CALL_ERROR,
    ERROR_MESSAGE,
    ERROR_TYPE,
    ESCAPES,
    FILE,
    NAMES,
    SOURCE_LINES,
    STDERR,
    STDOUT,
    every_string_hostile,
    hostile_trace,
    render,
    shown,
    stray_controls,
)

LIST_OF_SOURCES = (
    "import tensorflow as tf\n"
    "b = tf.Variable(2.0)\n"
    "with tf.GradientTape() as tape:\n"
    "    loss = b * b\n"
    "g = tape.gradient(loss, [b])\n"
)
MARKUP_ON_STDERR_THEN_EXIT = (
    "import os\n"
    "import sys\n"
    "import tensorflow as tf\n"
    "x = tf.Variable(3.0)\n"
    "with tf.GradientTape() as tape:\n"
    "    y = x * x\n"
    "print('[/] [link=file:///etc/passwd]x[/link] \\x1b]0;title\\x07', file=sys.stderr, flush=True)\n"
    "os._exit(3)\n"
)


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Trace]:
    folder = tmp_path_factory.mktemp("literal")
    traces = {}
    for name, body in (("list", LIST_OF_SOURCES), ("stderr", MARKUP_ON_STDERR_THEN_EXIT)):
        path = folder / f"{name}.py"
        path.write_text(body)
        traces[name] = record(path)
    return traces


def _screen(app: TapeTuiApp) -> DebuggerScreen:
    screen = app.screen
    assert isinstance(screen, DebuggerScreen)
    return screen


def _status(app: TapeTuiApp) -> str:
    return str(app.screen.query_one("#status", Static).content)


async def _press(pilot: Pilot[int], *keys: str) -> None:
    for key in keys:
        await pilot.press(key)
        await pilot.pause()
        assert pilot.app.is_running, f"the app stopped after {key!r}"


def _screen_text(app: TapeTuiApp) -> str:
    raw, text = render(app)
    assert stray_controls(raw) == []
    for sequence in ESCAPES:
        assert sequence not in raw
    return text


# --- each case of the issue, on a real recording or a hand-built trace --------------------------


def test_a_gradient_of_a_list_of_sources_is_titled_with_its_brackets(
    recorded: dict[str, Trace],
) -> None:
    async def flow() -> None:
        app = TapeTuiApp(trace=recorded["list"])
        async with app.run_test(size=(120, 40)) as pilot:
            await _press(pilot, "g")
            assert "· grad dloss/d[b] ─" in _screen_text(app)  # the step pane's title
            assert "✓ dloss/d[b] = 4.0" in _screen(app).tapes_pane.plain

    asyncio.run(flow())


def test_markup_printed_to_stderr_before_os_exit_opens_and_shows_as_printed(
    recorded: dict[str, Trace],
) -> None:
    trace = recorded["stderr"]
    assert trace.status == "died"

    async def flow() -> None:
        app = TapeTuiApp(trace=trace)
        async with app.run_test(size=(120, 40)) as pilot:
            await _press(pilot, "o")
            output = _screen(app).output_pane.plain
            assert "[/] [link=file:///etc/passwd]x[/link] ␛]0;title␇" in output
            _screen_text(app)

    asyncio.run(flow())


def _named(name: str) -> Trace:
    """The hand-built trace, with ``name`` for x."""
    trace = square_twice()
    trace.tensors[10].name = name
    trace.events[1].items[0].label = name  # type: ignore[attr-defined]
    return trace


@pytest.mark.parametrize("name", ["[/]", "[link=file:///etc/passwd]x[/link]", "x[/b]"])
def test_markup_in_a_trace_breaks_nothing_on_open_g_or_v(name: str) -> None:
    async def flow() -> None:
        app = TapeTuiApp(trace=_named(name))
        async with app.run_test(size=(120, 40)) as pilot:
            await _press(pilot, "g")
            assert f"grad dz/d{name}" in _screen_text(app)
            await _press(pilot, "v")
            assert isinstance(app.screen, OverviewScreen)
            assert f"|∇{name}|" in _screen_text(app)

    asyncio.run(flow())


async def _click_along(pilot: Pilot[int], selector: str, width: int) -> None:
    for x in range(width):
        await pilot.click(selector, offset=(x, 0))
        await pilot.pause()
        assert pilot.app.is_running, f"a click at column {x} of {selector} acted"


def test_an_action_link_in_a_trace_does_nothing_when_clicked() -> None:
    trace = square_twice()
    trace.scenario = "[@click=app.quit]quit.py"  # no /: a file name
    trace.sources = {trace.scenario: next(iter(trace.sources.values()))}
    for event in trace.events:
        event.file = trace.scenario

    async def flow() -> None:
        app = TapeTuiApp(trace=trace)
        async with app.run_test(size=(120, 40)) as pilot:
            assert _status(app).startswith("[@click=app.quit]quit.py · 1 tape")
            await _click_along(pilot, "#status", 40)
            await _click_along(pilot, "#source", 40)  # its title names the file
            assert app.return_code is None

    asyncio.run(flow())


def test_an_exception_class_and_a_file_named_with_markup_show_as_named() -> None:
    trace = square_twice()
    trace.scenario = "[red]x.py"
    trace.sources = {"[red]x.py": next(iter(trace.sources.values()))}
    for event in trace.events:
        event.file = "[red]x.py"
    trace.status = "raised"
    trace.error = hostile_trace().error
    assert trace.error is not None
    trace.error.type, trace.error.line = "[blink]Error[/blink]", 11

    async def flow() -> None:
        app = TapeTuiApp(trace=trace)
        async with app.run_test(size=(120, 40)):
            assert _status(app).startswith("[red]x.py raised [blink]Error[/blink] on line 11")
            assert "╭─ [red]x.py ─" in _screen_text(app)

    asyncio.run(flow())


# --- every string of a trace hostile, every main key, several sizes -------------------------------

KEYS = [
    "home", "n", "n", "b", "b", "p", "g", "g", "G", "w", "w", "s", "o", "o",
    "right_square_bracket", "left_square_bracket", "end", "r", "question_mark", "escape",
    "v", "down", "enter", "v", "escape", "ctrl+p", "w", "h", "y", "escape",
]  # fmt: skip


@pytest.mark.parametrize("size", [(120, 40), (80, 24), (200, 50)])
@pytest.mark.parametrize("kind", ["hostile", "every string", "every string of the small trace"])
def test_hostile_text_everywhere_survives_every_key_at_every_size(
    kind: str, size: tuple[int, int]
) -> None:
    trace = {
        "hostile": hostile_trace,
        "every string": lambda: every_string_hostile(hostile_trace()),
        "every string of the small trace": lambda: every_string_hostile(square_twice()),
    }[kind]()

    async def flow() -> None:
        app = TapeTuiApp(trace=trace)
        async with app.run_test(size=size) as pilot:
            _screen_text(app)
            for key in KEYS:
                await _press(pilot, key)
                _screen_text(app)
            assert app.return_code is None

    asyncio.run(flow())


def test_every_pane_shows_the_hostile_strings_literally() -> None:
    async def flow() -> None:
        app = TapeTuiApp(trace=hostile_trace())
        async with app.run_test(size=(200, 50)) as pilot:
            screen = _screen(app)
            assert _status(app).startswith(f"{shown(FILE)} raised {ERROR_TYPE} on line 10")
            text = _screen_text(app)
            assert f"╭─ {shown(FILE)} ─" in text
            for line in SOURCE_LINES[1:3]:
                assert shown(line) in text
            detail = screen.detail.plain  # the scenario's error, with its traceback
            assert f"the scenario raised {ERROR_TYPE} on line 10" in detail
            assert f"{ERROR_TYPE}: {shown(ERROR_MESSAGE)}" in detail
            tapes = screen.tapes_pane.plain
            for name in ("tape", "x", "ignored", "reason", "watch_error"):
                assert shown(NAMES[name]) in tapes, name
            assert f"raised {CALL_ERROR}" in tapes

            await _press(pilot, "home", "n")  # x * W, in a function with a hostile name
            assert shown(NAMES["function"]) in _screen_text(app)  # the timeline and the title
            assert f"in  {shown(NAMES['x'])}\n" in screen.detail.plain  # a long name: own line

            await _press(pilot, "g")
            title = f"grad d {shown(NAMES['z'])}/d[{shown(NAMES['x'])}, {shown(NAMES['W'])}]"
            assert title[:60] in _screen_text(app)

            await _press(pilot, "w")
            why = screen.why_pane.plain
            assert f"why is d{shown(NAMES['z'])}/d{shown(NAMES['W'])} None?" in why
            await _press(pilot, "w")
            assert f"{CALL_ERROR}: {shown(ERROR_MESSAGE)}" in screen.why_pane.plain

            await _press(pilot, "o")
            output = screen.output_pane.plain
            for line in (STDOUT + STDERR).splitlines():
                assert shown(line) in output

            await _press(pilot, "v")
            assert f"|∇{shown(NAMES['x'])}|" in _screen_text(app)

    asyncio.run(flow())


# --- the boundary itself ------------------------------------------------------------------------


def test_the_boundary_makes_text_with_no_markup_and_no_control() -> None:
    from tapetui.ui.literal import content_line, literal, literal_line

    text = literal("[b]x[/b]\n\x1b[2J", "red")
    assert (text.plain, [s.style for s in text.spans], str(text.style)) == (
        "[b]x[/b]\n␛[2J",
        [],
        "red",
    )
    assert literal_line("[@click=app.quit]q[/]\nnext").plain == "[@click=app.quit]q[/]␊next"
    content = content_line("[link=file:///etc/passwd]L[/link]\x07")
    assert (content.plain, content.spans) == ("[link=file:///etc/passwd]L[/link]␇", [])
