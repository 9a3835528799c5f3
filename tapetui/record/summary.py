"""What is kept of ops once the detail budget is spent: a count per scenario line and op type."""

from __future__ import annotations

from typing import Any


class OpCounts:
    """Ops run after the switch to summarising, counted by (file, line, op type)."""

    def __init__(self, reason: str, seq: int, tapes: int, ops: int) -> None:
        self.reason = reason
        """``tapes`` or ``ops``: which budget was spent."""
        self.from_seq = seq
        self.tapes_in_detail = tapes
        self.ops_in_detail = ops
        self.counts: dict[tuple[str | None, int | None, str], int] = {}

    def count(self, where: tuple[str | None, int | None], op_type: str) -> None:
        key = (where[0], where[1], op_type)
        self.counts[key] = self.counts.get(key, 0) + 1

    def header(self) -> dict[str, Any]:
        """Written when summarising starts, so a trace cut short still says so."""
        return {
            "reason": self.reason,
            "from_seq": self.from_seq,
            "tapes_in_detail": self.tapes_in_detail,
            "ops_in_detail": self.ops_in_detail,
        }

    def as_meta(self) -> dict[str, Any]:
        rows = [
            {"file": file, "line": line, "op_type": op_type, "count": n}
            for (file, line, op_type), n in self.counts.items()
        ]
        return {**self.header(), "ops": sum(self.counts.values()), "ops_by_line": rows}
