"""Text the public API returns (a report, a why-None answer): a ``str`` that Jupyter and IPython
show as the text itself, lines and all, instead of a quoted string full of ``\\n``."""

from __future__ import annotations

from typing import Any


class DisplayText(str):
    """A plain ``str`` in every way (compare it, search it, ``print`` it); only IPython's display
    of a cell's last value differs: the text, not its ``repr``."""

    __slots__ = ()

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """IPython's hook: show the text as it prints."""
        printer.text(str(self))
