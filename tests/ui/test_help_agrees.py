"""The help screen, the key bar's bindings and the README's keys table say the same keys: the
figures under the output, the notebook's CELL:LINE go-to, and the graph's own keys."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from textual.binding import Binding

from tapetui.ui import build_app
from tapetui.ui.screens.debugger import DebuggerScreen
from tapetui.ui.screens.help import HelpScreen
from tapetui.ui.widgets.graph import HELP, GraphView

ROOT = Path(__file__).resolve().parents[2]
TRACE = Path(__file__).resolve().parent / "traces" / "persistent.json"


def _help_text() -> str:
    async def flow() -> str:
        app = build_app([str(TRACE)])
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("question_mark")
            assert isinstance(app.screen, HelpScreen)
            return app.screen.help_text().plain

    return asyncio.run(flow())


def _readme_keys() -> dict[str, str]:
    """The README's keys table: each row's key column (lower case), and the row."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("### Keys", 1)[1].split("\n### ", 1)[0]
    rows = [line for line in table.splitlines() if line.startswith("| ") and "---" not in line]
    return {row.split("|")[1].strip().lower(): row for row in rows[1:]}


def _shown(key: str) -> str:
    return {"^c": "ctrl+c"}.get(key, key)


def test_help_names_the_figures_the_cell_line_go_to_and_the_graph_keys() -> None:
    text = _help_text()
    assert f"  {':':<12}go to a line: its first step (:35; in a notebook CELL:LINE, :3:2)" in text
    assert "what the scenario printed, its traceback, and the figures it showed" in text
    words = " ".join(text.split())  # the panes' words wrap to the box
    assert "in a terminal that shows images (Kitty, Sixel), the figures it showed" in words
    assert "a notebook shows its cells under ── cell 3 ── headings" in words
    assert "in the graph (d)" in text
    for keys, description in HELP:
        assert f"  {keys:<14}{description}" in text


def test_the_help_wraps_each_row_back_to_its_column() -> None:
    text = _help_text()
    source = text.split("\n  source", 1)[1].split("\n  step", 1)[0].splitlines()
    assert len(source) > 1 and all(line.startswith(" " * 18) for line in source[1:])
    rows = text.split("\nkeys\n", 1)[1].splitlines()  # after the intro, which the box wraps
    assert max(len(line) for line in rows) <= 84  # the box's inside at 120 columns


def test_every_graph_key_is_in_the_help() -> None:
    app = build_app([str(TRACE)])
    listed = " / ".join(keys for keys, _ in HELP).replace(",", " /").split(" / ")
    for binding in GraphView.BINDINGS:
        assert isinstance(binding, Binding)
        for key in binding.key.split(","):
            assert app.get_key_display(Binding(key, binding.action)) in listed, key


def test_every_debugger_key_is_in_the_readme_table() -> None:
    app = build_app([str(TRACE)])
    columns = " ".join(_readme_keys())
    for binding in DebuggerScreen.BINDINGS:
        assert isinstance(binding, Binding)
        for key in binding.key.split(","):
            shown = _shown(app.get_key_display(Binding(key, binding.action))).lower()
            assert re.search(rf"(^|[\s`]){re.escape(shown)}($|[\s`,])", columns), shown


def test_the_readme_rows_say_what_the_help_says() -> None:
    rows = _readme_keys()
    assert "`h`/`l` scroll" in rows["`d`"]
    assert "in a notebook also `:3:2`, cell 3 line 2" in rows["`:`"]
    assert "the figures it showed under it" in rows["`o`"]
