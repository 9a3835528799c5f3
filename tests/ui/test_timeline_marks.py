"""The timeline tells recorded ops from unrecorded ones; backward steps, sums, calls keep marks."""

from __future__ import annotations

import asyncio
from pathlib import Path

from rich.text import Text

from tapetui.ui import build_app
from tapetui.ui.screens.debugger import DebuggerScreen
from tapetui.ui.screens.help import HelpScreen
from tapetui.ui.widgets.timeline import Timeline

TRACES = Path(__file__).resolve().parent / "traces"


def _styles(strip: Text, timeline: Timeline) -> dict[int, str]:
    """Each shown step's index → the style it is drawn in."""
    found: dict[int, str] = {}
    for start, _end, index in timeline.spans:
        styles = {str(span.style) for span in strip.spans if span.start <= start < span.end}
        found[index] = " ".join(sorted(styles))
    return found


def test_unrecorded_ops_are_dim_and_the_others_keep_their_marks() -> None:
    async def flow() -> None:
        app = build_app([str(TRACES / "persistent.json")])
        async with app.run_test(size=(200, 40)) as pilot:
            screen = app.screen
            assert isinstance(screen, DebuggerScreen)
            await pilot.press("home", *"n" * 3)
            timeline = app.query_one(Timeline)
            styles = _styles(timeline.render(), timeline)
            assert styles[0] == "dim" and styles[1] == "dim"  # x, y created before the tape
            assert styles[3] == "reverse bold"  # the current step
            assert styles[4] == ""  # the Mul of z1, recorded by the tape
            assert styles[9] == "magenta"  # ∂AddV2
            await pilot.press(*"n" * 12)
            styles = _styles(timeline.render(), timeline)
            assert styles[16] == "magenta"  # Σx
            assert styles[17] == "cyan"  # grad dz/dx

    asyncio.run(flow())


def test_the_help_has_the_timelines_legend() -> None:
    async def flow() -> None:
        app = build_app([str(TRACES / "persistent.json")])
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("question_mark")
            await pilot.pause()
            help_screen = app.screen
            assert isinstance(help_screen, HelpScreen)
            text = help_screen.help_text()
            assert "AssignVariableOp  an op no tape recorded (dim)" in text.plain
            start = text.plain.index("AssignVariableOp  an op")
            assert any(
                span.start <= start < span.end and str(span.style) == "dim" for span in text.spans
            )
            for key in ("/", "f", ":"):
                assert any(row.split()[0] == key for row in text.plain.splitlines() if row.strip())

    asyncio.run(flow())
