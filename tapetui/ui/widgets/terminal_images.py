"""Whether the terminal can show images, and ``textual-image``'s widgets, loaded without asking it.

``textual-image`` decides at import: when ``sys.__stdout__`` is a terminal it writes ``ESC [ c``
(and a Kitty graphics query) and waits up to 0.1 s for each answer, and its widget module asks
for the cell size in pixels (``ESC [ 16 t``) when the kernel does not know it. Once Textual runs,
Textual's input thread takes those answers, so the questions only cost a wait and put escape
codes on the screen. Here the decision comes from the environment instead (``TERM``,
``TERM_PROGRAM``; ``TAPETUI_IMAGES`` overrides it), a headless app (tests, ``--screenshot``)
never shows images, and ``textual-image`` is imported only when an image is to be shown, with
``sys.__stdout__`` replaced by a stand-in that is not a terminal and the cell size read from the
kernel (``TIOCGWINSZ``: no escape code, no wait) given as textual-serve gives it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from io import BytesIO
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from textual.widget import Widget

Protocol = Literal["kitty", "sixel"]
"""How images reach the terminal: Kitty's graphics protocol, or Sixel."""
PROTOCOLS: tuple[Protocol, ...] = ("kitty", "sixel")
FORCE = "TAPETUI_IMAGES"
"""``kitty``, ``sixel`` or ``none``: overrides what the environment says about the terminal."""
SIXEL_PROGRAMS = frozenset({"iTerm.app", "WezTerm", "mlterm"})
"""``TERM_PROGRAM`` of terminals that show Sixel images (iTerm2 since 3.3, WezTerm, mlterm)."""
SIXEL_TERMS = ("foot", "mlterm", "yaft")
"""``TERM`` prefixes of terminals that show Sixel images."""
MAX_PIXELS = 4096 * 4096
"""A figure larger than this is not decoded (a PNG can claim any size)."""
CELL_VARIABLES = ("TEXTUAL_CELL_WIDTH", "TEXTUAL_CELL_HEIGHT")


def image_protocol(headless: bool, environ: Mapping[str, str]) -> Protocol | None:
    """How this terminal shows images, or ``None`` (then the output pane shows only the paths).

    A headless app never shows them: a screenshot cannot hold a terminal image, and Kitty's
    protocol would write to the real ``stdout``.
    """
    if headless:
        return None
    forced = environ.get(FORCE, "").strip().lower()
    if forced in PROTOCOLS:
        return forced
    if forced:
        return None  # none (or a value it does not know: show no images rather than guess)
    term, program = environ.get("TERM", ""), environ.get("TERM_PROGRAM", "")
    if term == "xterm-kitty" or "KITTY_WINDOW_ID" in environ:
        return "kitty"
    if program in SIXEL_PROGRAMS or term.startswith(SIXEL_TERMS) or "KONSOLE_VERSION" in environ:
        return "sixel"
    return None


def cell_pixels() -> tuple[int, int]:
    """The width and height of a terminal cell in pixels, from the kernel; 10×20 (a VT340's)
    when it does not know."""
    try:
        import fcntl
        import struct
        import termios

        stdout = sys.__stdout__
        if stdout is None:
            return 10, 20
        packed = fcntl.ioctl(stdout.fileno(), termios.TIOCGWINSZ, bytes(8))
        rows, columns, width, height = struct.unpack("HHHH", packed)
    except (ImportError, OSError, ValueError, AttributeError):
        return 10, 20
    if rows and columns and width and height:
        return max(1, width // columns), max(1, height // rows)
    return 10, 20


class _NotATerminal:
    """What ``textual-image`` sees as ``sys.__stdout__`` while it is imported."""

    def isatty(self) -> bool:
        return False

    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        return None


@contextmanager
def _unasked_terminal() -> Iterator[None]:
    """While ``textual-image`` is imported: no terminal to ask, the cell size given."""
    saved_stdout, saved_env = sys.__stdout__, {v: os.environ.get(v) for v in CELL_VARIABLES}
    width, height = cell_pixels()
    if not all(saved_env.values()):
        os.environ.update(TEXTUAL_CELL_WIDTH=str(width), TEXTUAL_CELL_HEIGHT=str(height))
    setattr(sys, "__stdout__", _NotATerminal())  # noqa: B010  # sys.__stdout__ is Final to mypy
    try:
        yield
    finally:
        setattr(sys, "__stdout__", saved_stdout)  # noqa: B010
        for name, value in saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def image_widget(protocol: Protocol, png: bytes) -> Widget:
    """A ``textual-image`` widget drawing ``png`` with ``protocol``; ``ValueError`` with one
    sentence when the PNG cannot be decoded."""
    with _unasked_terminal():
        from PIL import Image as PILImage
        from textual_image.widget import SixelImage, TGPImage
    try:
        with PILImage.open(BytesIO(png), formats=["PNG"]) as opened:
            if opened.width * opened.height > MAX_PIXELS:
                raise ValueError("The figure cannot be shown: the image is too large.")
            opened.load()
            image = opened.copy()
    except (OSError, SyntaxError, PILImage.DecompressionBombError):
        raise ValueError("The figure cannot be shown: the PNG image is damaged.") from None
    return TGPImage(image) if protocol == "kitty" else SixelImage(image)
