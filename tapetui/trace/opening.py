"""Opening a trace file: a whole trace (``.json``) or the record stream a killed recording left
(``.jsonl``)."""

from __future__ import annotations

from pathlib import Path

from tapetui.trace.jsonio import read_text, trace_from_text
from tapetui.trace.model import Trace
from tapetui.trace.stream_file import trace_from_stream_text


def load(path: str | Path) -> Trace:
    """Read a trace file (or a record stream, ``.jsonl``); raises TraceFormatError with one
    sentence naming the file."""
    text = read_text(path)
    if Path(path).suffix.lower() == ".jsonl":
        return trace_from_stream_text(text, str(path))
    return trace_from_text(text, str(path))
