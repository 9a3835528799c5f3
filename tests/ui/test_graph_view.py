"""The graph view in the debugger (``d``): it opens on the current gradient call, moving through
it moves the source and step panes, Enter and a click go to a node's op, ``b`` to its backward
step, ``c`` collapses a Keras layer, Escape and ``d`` go back."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tapetui.trace import Trace
from tapetui.ui import build_app
from tapetui.ui.app import TapeTuiApp
from tapetui.ui.screens.debugger import DebuggerScreen
from tapetui.ui.values import step_name
from tapetui.ui.widgets.graph import GraphView

TRACES = Path(__file__).resolve().parent / "traces"
SIZE = (120, 40)


def _screen(app: TapeTuiApp) -> DebuggerScreen:
    screen = app.screen
    assert isinstance(screen, DebuggerScreen)
    return screen


def _here(screen: DebuggerScreen) -> tuple[str, str, int | None]:
    assert screen.trace is not None and screen.stepper is not None
    step = screen.stepper.current
    assert step is not None
    return step.kind, step_name(screen.trace, step), step.line


def _line(view: GraphView) -> str:
    node = view.cursor_node
    assert node is not None
    return node.label.plain


def _app(name: str) -> TapeTuiApp:
    app = build_app([str(TRACES / f"{name}.json")])
    app.at_gradient = True  # type: ignore[attr-defined]
    return app


def test_d_opens_the_graph_of_the_call_in_place_of_the_tapes() -> None:
    async def flow() -> None:
        app = _app("persistent")
        async with app.run_test(size=SIZE) as pilot:
            screen = _screen(app)
            await pilot.press("d")
            view = screen.graph_view
            assert view is not None and view.has_focus
            assert not screen.tapes_pane.display
            assert _line(view).startswith("z · AddV2 · l.15 = 25.0")
            assert _here(screen) == ("forward", "AddV2", 15)  # the target's op is shown

    asyncio.run(flow())


def test_moving_down_moves_the_source_and_step_panes() -> None:
    async def flow() -> None:
        app = _app("persistent")
        async with app.run_test(size=SIZE) as pilot:
            screen = _screen(app)
            await pilot.press("d", "down")
            view = screen.graph_view
            assert view is not None
            assert _line(view).startswith("z1 · Mul · l.13 = 16.0")
            assert _here(screen) == ("forward", "Mul", 13)
            assert screen.source_view.current_text.strip() == "z1 = x * x"
            await pilot.press("down")
            assert "x" in _line(view) and "∂ 8.0 = 4.0 + 4.0" in _line(view)
            await pilot.press("down")
            assert "→ see x above" in _line(view) and "grad 4.0" in _line(view)

    asyncio.run(flow())


def test_enter_goes_to_the_forward_op_and_closes_the_graph() -> None:
    async def flow() -> None:
        app = _app("persistent")
        async with app.run_test(size=SIZE) as pilot:
            screen = _screen(app)
            await pilot.press("d", "down", "down", "down", "down")  # z, z1, x, x, z2
            view = screen.graph_view
            assert view is not None and _line(view).startswith("z2 · Mul · l.14")
            await pilot.press("enter")
            assert screen.graph_view is None and screen.tapes_pane.display
            assert _here(screen) == ("forward", "Mul", 14)
            assert screen.source_view.current_text.strip() == "z2 = y * y"

    asyncio.run(flow())


def test_b_goes_to_the_backward_step_of_the_node() -> None:
    async def flow() -> None:
        app = _app("persistent")
        async with app.run_test(size=SIZE) as pilot:
            screen = _screen(app)
            await pilot.press("d", "down", "b")
            assert screen.graph_view is None
            kind, name, line = _here(screen)
            assert (kind, line) == ("backward", 13) and "Mul" in name

    asyncio.run(flow())


def test_a_click_on_a_node_goes_to_its_op() -> None:
    async def flow() -> None:
        app = _app("persistent")
        async with app.run_test(size=SIZE) as pilot:
            screen = _screen(app)
            await pilot.press("d")
            view = screen.graph_view
            assert view is not None
            await pilot.click(GraphView, offset=(12, 2))  # border, z, then z1's row
            await pilot.pause()
            assert screen.graph_view is None
            assert _here(screen) == ("forward", "Mul", 13)

    asyncio.run(flow())


def test_escape_and_d_go_back_where_the_debugger_was() -> None:
    async def flow() -> None:
        app = _app("persistent")
        async with app.run_test(size=SIZE) as pilot:
            screen = _screen(app)
            await pilot.pause()
            before = _here(screen)
            for key in ("escape", "d"):
                await pilot.press("d", "down", "down")
                assert _here(screen) != before
                await pilot.press(key)
                assert screen.graph_view is None and _here(screen) == before

    asyncio.run(flow())


def test_a_none_shows_its_cause_under_the_source() -> None:
    async def flow() -> None:
        app = _app("none_cases")
        async with app.run_test(size=SIZE) as pilot:
            screen = _screen(app)
            await pilot.press("d", "down")
            view = screen.graph_view
            assert view is not None
            assert "✗ outside_tape" in _line(view) and "✗ None: outside_tape" in _line(view)
            await pilot.press("down")
            assert _line(view).startswith("outside_tape: `y1 = x * x` (line 12) ran before")

    asyncio.run(flow())


def test_c_collapses_and_opens_a_keras_layer(keras_fit_trace: Trace) -> None:
    async def flow() -> None:
        app = TapeTuiApp(trace=keras_fit_trace)
        app.at_gradient = True
        async with app.run_test(size=SIZE) as pilot:
            screen = _screen(app)
            await pilot.press("d")
            view = screen.graph_view
            assert view is not None
            lines = [view.get_node_at_line(i) for i in range(view.last_line + 1)]
            texts = [n.label.plain for n in lines if n is not None]
            layer = next(i for i, t in enumerate(texts) if t.startswith("dense_1 · layer: "))
            view.move_cursor(lines[layer])
            await pilot.press("c")
            assert not _line(view).startswith("dense_1 · layer: ")  # its output, AddV2, again
            assert " · AddV2 · " in _line(view)
            await pilot.press("c")
            assert _line(view).startswith("dense_1 · layer: ")

    asyncio.run(flow())


def test_d_without_a_gradient_call_says_so() -> None:
    async def flow() -> None:
        app = build_app([str(TRACES / "no_tape.json")])
        async with app.run_test(size=SIZE) as pilot:
            screen = _screen(app)
            await pilot.press("d")
            assert screen.graph_view is None

    asyncio.run(flow())


def test_under_72_columns_the_graph_is_the_one_pane_shown() -> None:
    async def flow() -> None:
        app = _app("persistent")
        async with app.run_test(size=(60, 24)) as pilot:
            screen = _screen(app)
            await pilot.press("d")
            view = screen.graph_view
            assert view is not None and view.has_class("-shown")
            assert view.size.width > 50  # the whole width, not a side pane's
            assert not screen.source_view.has_class("-shown")
            await pilot.press("escape")
            assert screen.graph_view is None and screen.source_view.has_class("-shown")
            assert not screen.tapes_pane.display  # still one pane at a time

    asyncio.run(flow())


def test_names_from_the_trace_are_shown_literally() -> None:
    async def flow() -> None:
        from textual.content import Content

        from tapetui.trace import load

        trace = load(TRACES / "persistent.json")
        z1 = next(t for t in trace.tensors.values() if t.name == "z1")
        z1.name = "[b]z1[/b] [@click=app.quit]\x1b]0;t\x07"
        target = next(t for t in trace.tensors.values() if t.name == "z")
        target.name = "[red]z[/red]"
        app = TapeTuiApp(trace=trace)
        async with app.run_test(size=SIZE) as pilot:
            screen = _screen(app)
            await pilot.press("d", "down")
            view = screen.graph_view
            assert view is not None
            assert _line(view).startswith("[b]z1[/b] [@click=app.quit]␛]0;t␇ · Mul")
            shown = Content.from_markup(str(view.border_title)).plain  # as the border draws it
            assert "[red]z[/red]" in shown
            assert app.is_running

    asyncio.run(flow())
