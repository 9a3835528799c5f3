"""``tapetui report``: every gradient call, its results, and the cause of each None."""

from __future__ import annotations

from tapetui.report.build import build_report, render_json
from tapetui.report.text import render_text

__all__ = ["build_report", "render_json", "render_text"]
