"""The source pane with wide characters, tabs and long lines: numbers and markers stay right."""

from __future__ import annotations

import asyncio

from rich.cells import cell_len
from textual import events
from textual.app import App, ComposeResult

from tapetui.ui.widgets.source_view import SourceView, cell_window

SOURCE = "\n".join(
    [
        "import tensorflow as tf",
        "# 准备一些变量：自动求导的核心工具的基本用法，梯度带记录前向计算的每一步运算",
        "x = tf.Variable(3.0)  # 😀 emoji 也是两格宽",
        "\ty = x * x\t# 制表符",
        "z = y + 1",
        "w = " + "a + " * 60 + "b  # 一行很长的代码",
        "        deep = 1",
    ]
)


class Pane(App[None]):
    def compose(self) -> ComposeResult:
        yield SourceView(id="source")


def _rows(app: Pane) -> list[str]:
    return app.query_one(SourceView).screen_lines()


def test_wide_characters_and_tabs_keep_each_row_on_its_number() -> None:
    async def flow() -> None:
        app = Pane()
        async with app.run_test(size=(50, 12)) as pilot:
            view = app.query_one(SourceView)
            view.show(SOURCE, 2)
            await pilot.pause()
            rows = _rows(app)[:7]
            width = view.size.width
            assert [row[:2] for row in rows] == ["1 ", "2▶", "3 ", "4 ", "5 ", "6 ", "7 "]
            assert all(cell_len(row) == width for row in rows)  # nothing wraps or spills
            assert rows[1].startswith("2▶ # 准备一些变量")
            assert rows[3].startswith("4          y = x * x")  # the tab is a stop of 8 columns

    asyncio.run(flow())


def test_scrolling_sideways_keeps_numbers_and_markers() -> None:
    async def flow() -> None:
        app = Pane()
        async with app.run_test(size=(50, 12)) as pilot:
            view = app.query_one(SourceView)
            view.show(SOURCE, 2)
            await pilot.pause()
            assert view.max_scroll_x > 0  # there is something to the right
            view.scroll_to(x=10, animate=False)
            await pilot.pause()
            rows = _rows(app)
            assert rows[1].startswith("2▶ ")
            assert "自动求导" in rows[1] and "准备" not in rows[1]
            assert rows[2].startswith("3  ")
            assert all(cell_len(row) == view.size.width for row in rows[:7])

    asyncio.run(flow())


def test_shift_wheel_scrolls_the_source_sideways() -> None:
    async def flow() -> None:
        app = Pane()
        async with app.run_test(size=(50, 12)) as pilot:
            view = app.query_one(SourceView)
            view.show(SOURCE, 1)
            await pilot.pause()
            # the wheel turned down with shift held, the pointer over the pane
            view.post_message(events.MouseScrollDown(view, 10, 3, 0, 1, 0, True, False, False))
            await pilot.pause()
            assert view.scroll_x > 0

    asyncio.run(flow())


def test_arrow_keys_scroll_the_focused_source_sideways() -> None:
    async def flow() -> None:
        app = Pane()
        async with app.run_test(size=(50, 12)) as pilot:
            view = app.query_one(SourceView)
            view.show(SOURCE, 1)
            view.focus()
            await pilot.pause()
            for _ in range(3):
                await pilot.press("right")
                await pilot.wait_for_scheduled_animations()
            assert view.scroll_x == 3
            assert _rows(app)[0].startswith("1▶ ort tensorflow")
            await pilot.press("left")
            await pilot.wait_for_scheduled_animations()
            assert view.scroll_x == 2

    asyncio.run(flow())


def test_the_current_line_comes_into_view_sideways() -> None:
    async def flow() -> None:
        app = Pane()
        async with app.run_test(size=(50, 12)) as pilot:
            view = app.query_one(SourceView)
            view.show(SOURCE, 6)
            await pilot.pause()
            view.scroll_to(x=view.max_scroll_x, animate=False)
            await pilot.pause()
            assert view.scroll_x > 20  # the long line 6 read to its end
            view.show(SOURCE, 5)  # a short line: the pane scrolls back to its start
            await pilot.pause()
            assert view.scroll_x == 0
            assert _rows(app)[4].startswith("5▶ z = y + 1")

    asyncio.run(flow())


def test_a_cell_window_of_a_wide_line_starts_at_a_whole_character() -> None:
    assert cell_window("ab中文cd", 3, 3) == ("中文", 2)
    assert cell_window("ab中文cd", 0, 2) == ("ab", 0)
    assert cell_window("abc", 10, 5) == ("", 10)
