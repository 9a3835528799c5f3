"""Snapshots of the views issue 19 changed: small terminals, the search bar, a wide-character source."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tapetui.ui import build_app
from tapetui.ui.app import TapeTuiApp
from tests.ui.handmade import SOURCE, square_twice

TRACES = Path(__file__).resolve().parent / "traces"

CHINESE = (
    SOURCE.replace('"""Two gradients from one persistent tape."""', "# 一个持久的梯度带求两个梯度")
    .replace("    y = x * x", "    y = x * x  # 记录前向计算：y = x²，梯度带会记住这一步的运算")
    .replace("    z = y * y", "\tz = y * y\t# 制表符 😀")
)
"""The hand-built trace's source with Chinese comments, an emoji and tabs (same line numbers)."""


def trace_app(name: str) -> TapeTuiApp:
    return build_app([str(TRACES / f"{name}.json")])


def test_first_screen_at_80x24(snap_compare: Any) -> None:
    assert snap_compare(trace_app("persistent"), terminal_size=(80, 24))


def test_first_screen_at_60x20(snap_compare: Any) -> None:
    assert snap_compare(trace_app("persistent"), terminal_size=(60, 20))


def test_step_pane_at_60x20(snap_compare: Any) -> None:
    assert snap_compare(trace_app("persistent"), press=["x"], terminal_size=(60, 20))


def test_search_bar(snap_compare: Any) -> None:
    assert snap_compare(trace_app("persistent"), press=["slash", *"loss"], terminal_size=(100, 30))


def test_wide_characters_in_the_source(snap_compare: Any) -> None:
    trace = square_twice()
    trace.sources[trace.scenario] = CHINESE
    app = TapeTuiApp(trace=trace, warm=False)
    assert snap_compare(app, press=["n"], terminal_size=(100, 24))
