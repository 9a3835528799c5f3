"""A record stream read back from a file (``.jsonl``): what a recording left when tapetui itself
was killed before it could write the trace (its temporary ``trace.jsonl``).

The stream is read as the live recording reads it: a last line cut short (the writer died
mid-record) is dropped, a record this version cannot read is skipped and counted in
``meta["unreadable_records"]``. A file none of whose lines is a record is refused.
"""

from __future__ import annotations

from tapetui.trace.checks import TraceFormatError
from tapetui.trace.model import ErrorInfo, Trace
from tapetui.trace.references import check_references
from tapetui.trace.stream import apply_record, parse_line

STOPPED = (
    "The recording stopped before the scenario finished (tapetui itself was stopped); the trace "
    "keeps what ran before."
)


def trace_from_stream_text(text: str, where: str) -> Trace:
    """The trace the stream ``text`` records; TraceFormatError naming ``where`` if none."""
    trace = Trace(scenario="")
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines.pop()  # cut short by a killed writer
    read = 0
    for line in filter(str.strip, lines):
        before = trace.meta.get("unreadable_records", 0)
        apply_record(trace, parse_line(line))
        read += trace.meta.get("unreadable_records", 0) == before
    if not read:
        raise TraceFormatError(f"{where} is not a tapetui trace (no line is a trace record)")
    if trace.status == "running":  # no final record: the recording did not end
        trace.status = "died"
        trace.error = trace.error or ErrorInfo("Died", STOPPED)
    trace.reindex()
    try:
        check_references(trace)
    except TraceFormatError as exc:
        raise TraceFormatError(f"{where} is damaged: {exc}") from None
    return trace
