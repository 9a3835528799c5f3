"""The scenario's figures in the output pane: drawn as images where the terminal can show them
(Kitty graphics, Sixel), else the paths only; a bad figure file is a sentence, never a traceback;
and textual-image never asks the terminal anything (it would at import)."""

from __future__ import annotations

import asyncio
import fcntl
import io
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image
from textual.app import App, ComposeResult
from textual.geometry import Region
from textual.widget import Widget
from textual.widgets import Label

from tapetui.trace import Trace, load, save
from tapetui.ui import build_app
from tapetui.ui.figure_files import FigureUnreadable, listed_figures, read_png
from tapetui.ui.screens.debugger import DebuggerScreen
from tapetui.ui.widgets import figures_view
from tapetui.ui.widgets.figures_view import FiguresView
from tapetui.ui.widgets.output_pane import OutputPane
from tapetui.ui.widgets.terminal_images import Protocol, image_protocol

ROOT = Path(__file__).resolve().parents[2]
TRACES = Path(__file__).resolve().parent / "traces"
KITTY_PLACEHOLDER = chr(0x10EEEE)
"""The character Kitty replaces with the image's cells (Unicode placeholders)."""


def red_png(path: Path) -> Path:
    Image.new("RGB", (64, 32), (200, 30, 30)).save(path, format="PNG")
    return path


def with_figures(*paths: str) -> Trace:
    trace = load(TRACES / "basic.json")
    trace.meta["figures"] = [{"path": p, "line": 9 + i, "how": "show"} for i, p in enumerate(paths)]
    return trace


class PaneApp(App[None]):
    """The output pane alone, its image protocol given (a headless app would choose none)."""

    def __init__(self, trace: Trace, images: Protocol | None) -> None:
        super().__init__()
        self.trace, self.images = trace, images

    def compose(self) -> ComposeResult:
        yield OutputPane(id="output", images=self.images)

    def on_mount(self) -> None:
        self.query_one(OutputPane).show_trace(self.trace)


@dataclass
class Shown:
    """A child of the figures view as it was on screen."""

    kind: str
    height: int
    text: str
    """A label's text, or every segment the widget rendered (escape codes included)."""


def run_pane(trace: Trace, images: Protocol | None) -> tuple[list[Shown], str]:
    """The figures view's children and what was written to ``sys.__stdout__`` meanwhile."""
    written = io.StringIO()

    async def flow() -> list[Shown]:
        app = PaneApp(trace, images)
        async with app.run_test(size=(80, 40)) as pilot:
            await pilot.pause()
            await pilot.pause()
            return [shown(child) for child in app.query_one(FiguresView).children]

    real, sys.__stdout__ = sys.__stdout__, written  # type: ignore[misc]
    try:
        children = asyncio.run(flow())
    finally:
        sys.__stdout__ = real  # type: ignore[misc]
    return children, written.getvalue()


def shown(widget: Widget) -> Shown:
    if isinstance(widget, Label):
        return Shown("Label", widget.size.height, str(widget.render()))
    drawing = widget.children[0] if widget.children else widget  # Sixel draws in a child
    rows = drawing.render_lines(Region(0, 0, widget.size.width, widget.size.height))
    text = "\n".join("".join(s.text for s in row) for row in rows)
    return Shown(type(widget).__name__, widget.size.height, text)


def test_the_terminal_is_judged_from_the_environment_never_asked() -> None:
    assert image_protocol(False, {"TERM": "xterm-kitty"}) == "kitty"
    assert image_protocol(False, {"TERM": "xterm-256color", "KITTY_WINDOW_ID": "1"}) == "kitty"
    assert image_protocol(False, {"TERM_PROGRAM": "iTerm.app"}) == "sixel"
    assert image_protocol(False, {"TERM_PROGRAM": "WezTerm"}) == "sixel"
    assert image_protocol(False, {"TERM": "foot"}) == "sixel"
    assert image_protocol(False, {"TERM": "xterm-256color"}) is None
    assert image_protocol(False, {"TERM": "xterm-256color", "TAPETUI_IMAGES": "sixel"}) == "sixel"
    assert image_protocol(False, {"TERM": "xterm-kitty", "TAPETUI_IMAGES": "none"}) is None
    assert image_protocol(False, {"TERM": "xterm-kitty", "TAPETUI_IMAGES": "iterm"}) is None
    # tests and --screenshot: no images, whatever the terminal or the override says
    assert image_protocol(True, {"TERM": "xterm-kitty", "TAPETUI_IMAGES": "kitty"}) is None


def test_with_kitty_graphics_the_figure_is_sent_and_placed_in_the_pane(tmp_path: Path) -> None:
    png = red_png(tmp_path / "figure-1.png")
    children, written = run_pane(with_figures(str(png)), "kitty")
    caption, image = children
    assert caption.text == f"1. figure shown at line 9: {png}"
    assert (image.kind, image.height) == ("TGPImage", 16)
    assert written.startswith("\x1b_G") and "f=100" in written  # the PNG goes to the terminal
    assert "a=p" in written and "U=1" in written  # placed by Unicode placeholders
    rows = image.text.split("\n")
    assert len(rows) == 16 and all(KITTY_PLACEHOLDER in row for row in rows)


def test_with_sixel_the_figure_is_drawn_as_sixel_data(tmp_path: Path) -> None:
    png = red_png(tmp_path / "figure-1.png")
    children, written = run_pane(with_figures(str(png)), "sixel")
    image = children[1]
    assert (image.kind, image.height) == ("Image", 16)
    assert "\x1bP" in image.text  # a Sixel sequence (DCS), drawn over the image's cells
    assert written == ""  # Sixel goes through Textual's own output


def test_without_image_support_the_pane_keeps_only_the_paths(tmp_path: Path) -> None:
    png = red_png(tmp_path / "figure-1.png")
    children, written = run_pane(with_figures(str(png)), None)
    assert children == [] and written == ""


def test_a_bad_figure_file_shows_its_path_and_one_sentence(tmp_path: Path) -> None:
    text = tmp_path / "notes.png"
    text.write_text("not an image", encoding="utf-8")
    damaged = tmp_path / "damaged.png"
    damaged.write_bytes(red_png(tmp_path / "good.png").read_bytes()[:60])
    fifo = tmp_path / "figure.png"
    os.mkfifo(fifo)  # opening it to read would wait for a writer: it must not be waited on
    hostile = str(tmp_path / "a\x1b]0;title\x07[b]x.png")
    paths = [str(tmp_path / "gone.png"), str(text), str(fifo), "/dev/zero", str(damaged), hostile]
    started = time.monotonic()
    children, _ = run_pane(with_figures(*paths), "kitty")
    assert time.monotonic() - started < 30
    assert {child.kind for child in children} == {"Label"}
    assert [child.text for child in children] == [
        f"1. figure shown at line 9: {paths[0]}",
        "The figure cannot be shown: the file is not there any more.",
        f"2. figure shown at line 10: {paths[1]}",
        "The figure cannot be shown: the file is not a PNG image.",
        f"3. figure shown at line 11: {paths[2]}",
        "The figure cannot be shown: it is not a regular file.",
        "4. figure shown at line 12: /dev/zero",
        "The figure cannot be shown: it is not a regular file.",
        f"5. figure shown at line 13: {paths[4]}",
        "The figure cannot be shown: the PNG image is damaged.",
        f"6. figure shown at line 14: {tmp_path}/a␛]0;title␇[b]x.png",  # shown, never acted on
        "The figure cannot be shown: the file is not there any more.",
    ]


def test_only_the_figures_the_trace_lists_as_paths_are_read() -> None:
    trace = load(TRACES / "basic.json")
    trace.meta["figures"] = [{"path": 7}, "x.png", {"path": "a.png", "line": "9"}, None]
    figures = listed_figures(trace)
    assert [(f.path, f.line) for f in figures] == [("a.png", None)]
    with pytest.raises(FigureUnreadable, match="not there any more"):
        read_png("a.png")


def test_the_debugger_reads_the_figures_only_when_the_output_pane_opens(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    png = red_png(tmp_path / "figure-1.png")
    save(with_figures(str(png)), tmp_path / "trace.json")
    monkeypatch.setattr(figures_view, "image_protocol", lambda headless, env: "kitty")
    monkeypatch.setattr(sys, "__stdout__", io.StringIO())

    async def flow() -> tuple[int, list[str]]:
        app = build_app([str(tmp_path / "trace.json")])
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, DebuggerScreen)
            before = len(screen.query_one(FiguresView).children)
            await pilot.press("o")
            await pilot.pause()
            return before, [type(c).__name__ for c in screen.query_one(FiguresView).children]

    before, after = asyncio.run(flow())
    assert before == 0
    assert after == ["Label", "TGPImage"]


def test_a_headless_debugger_shows_no_images_and_never_loads_textual_image(tmp_path: Path) -> None:
    png = red_png(tmp_path / "figure-1.png")
    save(with_figures(str(png)), tmp_path / "trace.json")
    code = (
        "import asyncio, sys\n"
        "from tapetui.ui import build_app\n"
        "from tapetui.ui.widgets.figures_view import FiguresView\n"
        "async def flow():\n"
        f"    app = build_app([{str(tmp_path / 'trace.json')!r}])\n"
        "    async with app.run_test(size=(120, 40)) as pilot:\n"
        "        await pilot.press('o')\n"
        "        await pilot.pause()\n"
        "        view = app.screen.query_one(FiguresView)\n"
        "        print(view.display, len(view.children))\n"
        "asyncio.run(flow())\n"
        "print(sorted(m for m in sys.modules if m.startswith(('textual_image', 'PIL'))))\n"
    )
    env = {**os.environ, "TERM": "xterm-kitty", "TAPETUI_IMAGES": "kitty"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env, timeout=120
    )
    assert out.stdout.splitlines() == ["False 0", "[]"], out.stderr


def on_a_terminal(code: str, env: dict[str, str] | None = None) -> tuple[bytes, float]:
    """Run ``code`` with its stdin and stdout on a pseudo-terminal; what it wrote there, and how
    long it took (a terminal that never answers: nothing is written to the pty's input)."""
    controller, terminal = pty.openpty()
    # 40 rows of 120 columns, their size in pixels unknown (as over ssh)
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    started = time.monotonic()
    child = subprocess.Popen(
        [sys.executable, "-c", code],
        stdin=terminal,
        stdout=terminal,
        stderr=subprocess.PIPE,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
    )
    os.close(terminal)
    written = b""
    while True:
        ready, _, _ = select.select([controller], [], [], 30)
        if not ready:
            break
        try:
            chunk = os.read(controller, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        written += chunk
    child.wait(timeout=60)
    os.close(controller)
    assert child.returncode == 0, child.stderr.read().decode() if child.stderr else ""
    return written, time.monotonic() - started


def test_textual_image_itself_asks_the_terminal_at_import() -> None:
    written, _ = on_a_terminal("import textual_image.widget")
    assert b"\x1b[c" in written  # Sixel's question (device attributes), then Kitty's
    assert b"\x1b_G" in written
    assert b"\x1b[16t" in written  # and the cell size in pixels, which the kernel did not know


def test_tapetui_loads_textual_image_without_asking_the_terminal(tmp_path: Path) -> None:
    png = red_png(tmp_path / "figure-1.png")
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from tapetui.ui.widgets.terminal_images import image_widget\n"
        f"widget = image_widget('kitty', Path({str(png)!r}).read_bytes())\n"
        "assert 'textual_image.widget' in sys.modules\n"
        "from textual_image._terminal import get_cell_size\n"
        "print('cell', *get_cell_size())\n"
    )
    written, took = on_a_terminal(code, {"TERM": "xterm-kitty"})
    assert b"\x1b" not in written
    assert written.strip().startswith(b"cell ")
    assert took < 20  # no 0.1 s waits that add up, and never a wait for an answer


def test_a_screenshot_from_a_terminal_writes_no_escape_codes_to_it(tmp_path: Path) -> None:
    png = red_png(tmp_path / "figure-1.png")
    save(with_figures(str(png)), tmp_path / "trace.json")
    code = (
        "import sys\n"
        "from tapetui.cli import main\n"
        f"code = main([{str(tmp_path / 'trace.json')!r}, '--screenshot',"
        f" {str(tmp_path / 'out.svg')!r}, '--press', 'o'])\n"
        "print('textual_image' in sys.modules, code)\n"
    )
    written, _ = on_a_terminal(code, {"TERM": "xterm-kitty", "TAPETUI_IMAGES": "kitty"})
    assert b"\x1b" not in written
    assert written.strip().splitlines()[-1] == b"False 0"
    assert (tmp_path / "out.svg").exists()


def test_figures_shown_again_free_the_images_kitty_holds(tmp_path: Path) -> None:
    trace = with_figures(str(red_png(tmp_path / "figure-1.png")))
    written = io.StringIO()

    async def flow() -> list[str]:
        app = PaneApp(trace, "kitty")
        async with app.run_test(size=(80, 40)) as pilot:
            await pilot.pause()
            app.query_one(OutputPane).show_trace(trace)  # as after r (re-run)
            await pilot.pause()
            return [type(c).__name__ for c in app.query_one(FiguresView).children]

    real, sys.__stdout__ = sys.__stdout__, written  # type: ignore[misc]
    try:
        children = asyncio.run(flow())
    finally:
        sys.__stdout__ = real  # type: ignore[misc]
    assert children == ["Label", "TGPImage"]
    sent = written.getvalue()
    placed = re.findall(r"\x1b_Ga=p,i=(\d+)", sent)
    deleted = re.findall(r"\x1b_Ga=d,I=(\d+)", sent)
    assert placed[0] in deleted  # the first figure's image is freed in the terminal
    assert placed[-1] not in deleted  # the one on screen is kept


def test_a_device_or_fifo_a_trace_names_is_never_opened(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fifo = tmp_path / "figure.png"
    os.mkfifo(fifo)
    opened: list[str] = []
    real_open = os.open
    monkeypatch.setattr(
        os, "open", lambda p, *a, **k: opened.append(str(p)) or real_open(p, *a, **k)
    )
    for path in ("/dev/zero", "/dev/null", str(fifo)):
        with pytest.raises(FigureUnreadable, match="not a regular file"):
            read_png(path)
    with pytest.raises(FigureUnreadable, match="the path is not a file name"):
        read_png("figure\x00.png")
    assert opened == []
    png = red_png(tmp_path / "figure-1.png")
    assert read_png(str(png)).startswith(b"\x89PNG") and opened == [str(png)]
