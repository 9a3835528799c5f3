"""A big output and a big source stay whole and readable: the panes render only what is on screen."""

from __future__ import annotations

import asyncio

from tapetui.trace import OutputEvent, Trace
from tapetui.ui.app import TapeTuiApp
from tapetui.ui.screens.debugger import DebuggerScreen
from tapetui.ui.widgets.output_view import PrintedText
from tests.ui.handmade import SOURCE, F, square_twice

OUTPUT_LINES = 200_000


def printing(text: str) -> Trace:
    """The hand-built trace, its scenario having printed ``text``."""
    trace = square_twice()
    trace.events[-1] = OutputEvent(13, F, 11, text=text)
    trace.reindex()
    return trace


def big_source(lines: int, op_line: int) -> Trace:
    """The hand-built trace in a file of ``lines`` lines, its first op moved to ``op_line``."""
    trace = square_twice()
    filler = [f"v{n} = {n}  # line {n}" for n in range(SOURCE.count("\n") + 1, lines + 1)]
    trace.sources[F] = SOURCE + "\n".join(filler) + "\n"
    trace.events[2].line = op_line
    trace.reindex()
    return trace


def debugger(app: TapeTuiApp) -> DebuggerScreen:
    screen = app.screen
    assert isinstance(screen, DebuggerScreen)
    return screen


def test_end_in_the_output_pane_shows_the_last_line_and_home_the_first() -> None:
    text = "".join(f"printed line {n}\n" for n in range(1, OUTPUT_LINES + 1))

    async def flow() -> None:
        app = TapeTuiApp(trace=printing(text), warm=False)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("o")
            pane = debugger(app).output_pane
            assert pane.screen_lines()[0].rstrip() == "printed line 1"
            await pilot.press("end")
            await pilot.pause()
            rows = [row.rstrip() for row in pane.screen_lines()]
            assert rows[-1] == f"printed line {OUTPUT_LINES}"
            assert rows[-2] == f"printed line {OUTPUT_LINES - 1}"
            await pilot.press("home")
            await pilot.pause()
            assert pane.screen_lines()[0].rstrip() == "printed line 1"
            assert debugger(app).switcher.current == "output"  # still reading the output

    asyncio.run(flow())


def test_the_output_pane_keeps_every_line_of_the_output() -> None:
    text = "".join(f"{n}\n" for n in range(OUTPUT_LINES))
    printed = PrintedText(text)
    assert len(printed) == OUTPUT_LINES
    assert [printed[i] for i in range(len(printed))] == [str(n) for n in range(OUTPUT_LINES)]


def test_output_lines_split_on_newlines_only_and_lose_a_windows_line_end() -> None:
    printed = PrintedText("a\r\nb\rc\n\nd\n\n")
    assert [printed[i] for i in range(len(printed))] == ["a", "b\rc", "", "d"]


def test_the_output_pane_shows_markup_and_escape_sequences_literally() -> None:
    text = "[bold]x[/] [@click=app.quit]q[/]\n\x1b]0;title\x07 \x1b[2J\n"

    async def flow() -> None:
        app = TapeTuiApp(trace=printing(text), warm=False)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("o")
            rows = [row.rstrip() for row in debugger(app).output_pane.screen_lines()]
            assert rows[0] == "[bold]x[/] [@click=app.quit]q[/]"
            assert rows[1] == "␛]0;title␇ ␛[2J"

    asyncio.run(flow())


def test_a_line_of_megabytes_shows_its_start_and_scrolls_to_its_end() -> None:
    text = "start" + "." * 3_000_000 + "end\n"

    async def flow() -> None:
        app = TapeTuiApp(trace=printing(text), warm=False)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("o")
            pane = debugger(app).output_pane
            assert pane.screen_lines()[0].startswith("start....")
            pane.scroll_to(x=pane.max_scroll_x, animate=False, immediate=True)
            await pilot.pause()
            assert "...end" in pane.screen_lines()[0]

    asyncio.run(flow())


def test_the_source_pane_of_a_20000_line_file_shows_line_14000_marked() -> None:
    async def flow() -> None:
        app = TapeTuiApp(trace=big_source(20_000, 14_000), warm=False)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()  # the first step is the op on line 14,000
            view = debugger(app).source_view
            assert view.current == 14_000
            rows = view.screen_lines()
            marked = [row for row in rows if "▶" in row]
            assert [row.rstrip() for row in marked] == ["14000▶ v14000 = 14000  # line 14000"]
            assert rows.index(marked[0]) == view.size.height // 3  # a third down, as always
            assert rows[0].startswith(f"{14_000 - view.size.height // 3:>5} ")

    asyncio.run(flow())


def test_the_next_step_in_a_20000_line_file_scrolls_back_up_to_its_line() -> None:
    async def flow() -> None:
        app = TapeTuiApp(trace=big_source(20_000, 14_000), warm=False)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("n")
            await pilot.pause()
            view = debugger(app).source_view
            assert view.current == 8
            rows = [row.rstrip() for row in view.screen_lines()]
            assert "    8▶     z = y * y" in rows
            assert "    7      y = x * x" in rows

    asyncio.run(flow())
