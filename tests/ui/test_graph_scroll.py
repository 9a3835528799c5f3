"""The graph view scrolls sideways: ``l`` and ``h`` bring a long node line's end into the pane
and back (left and right stay expand and collapse)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tapetui.trace import load
from tapetui.ui.app import TapeTuiApp
from tapetui.ui.screens.debugger import DebuggerScreen

TRACES = Path(__file__).resolve().parent / "traces"
LONG = "x_" + "very_long_name_" * 12 + "end"
"""A variable name far wider than the graph's pane."""


def _shown(view: object, line: int) -> str:
    return view.render_line(line).text  # type: ignore[attr-defined, no-any-return]


def test_l_and_h_scroll_a_long_line_into_view_and_back() -> None:
    trace = load(TRACES / "persistent.json")
    trace.variables[3].pyname = LONG  # x

    async def flow() -> None:
        app = TapeTuiApp(trace=trace)
        app.at_gradient = True
        async with app.run_test(size=(120, 40)) as pilot:
            screen = app.screen
            assert isinstance(screen, DebuggerScreen)
            await pilot.press("d", "down", "down")  # z, z1, then x
            view = screen.graph_view
            assert view is not None
            line = view.cursor_line
            assert _shown(view, line).strip().startswith("│  ├─ x_very_long_name_")
            assert "source (auto on access, l.13)" not in _shown(view, line)
            assert view.scroll_x == 0
            seen = []  # what x's line shows at each press
            for _ in range(20):
                await pilot.press("l")
                seen.append(_shown(view, line))
            assert view.scroll_x == view.max_scroll_x > 0
            assert any(s.rstrip().endswith("source (auto on access, l.13)") for s in seen)
            # the longest line, x's second use, ends at the pane's right edge
            assert _shown(view, line + 1).endswith("_very_long_name_end above")
            assert view.cursor_line == line  # the cursor stays on its node
            await pilot.press("h")
            assert 0 < view.scroll_x < view.max_scroll_x
            for _ in range(20):
                await pilot.press("h")
            assert view.scroll_x == 0 and LONG[:20] in _shown(view, line)

    asyncio.run(flow())
