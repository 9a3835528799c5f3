"""Where the detail budget ran out: from then on the recorder keeps tapes, gradient calls and
their values, and lets ops run unobserved."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Summarised:
    """The moment a recording switched from detail to summary."""

    reason: str
    """``tapes`` or ``ops``: which budget was spent."""
    from_seq: int
    """The first timeline position of the summarised part."""
    tapes_in_detail: int
    ops_in_detail: int

    def as_meta(self) -> dict[str, Any]:
        """What the trace's ``meta.summarised`` says (written when summarising starts, so a
        trace cut short says so too)."""
        return asdict(self)
