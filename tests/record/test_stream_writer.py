"""The record stream's writer and live reader (no TensorFlow): batched writes that still reach
the file quickly, encodings that read back the same, damaged records skipped and counted."""

from __future__ import annotations

import io
import time

from tapetui.trace.events import OpEvent, WatchEvent, WatchItem
from tapetui.trace.model import Tensor, Trace, ValueSummary
from tapetui.trace.stream import RecordWriter, apply_record, parse_line, record_line


def test_records_reach_the_stream_within_the_flush_interval() -> None:
    stream = io.StringIO()
    writer = RecordWriter(stream, interval=0.05)
    writer("meta", {"status": "running"})
    deadline = time.monotonic() + 5
    while not stream.getvalue() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert stream.getvalue() == '{"meta":{"status":"running"}}\n'
    writer("source", {"file": "a.py", "text": "x = 1\n"})
    writer.close()
    assert stream.getvalue().count("\n") == 2


def test_records_read_back_as_what_was_written() -> None:
    trace = Trace(scenario="a.py")
    summary = ValueSummary(size=100, preview=[1.0, "nan"], min=1.0, max=9.0, mean=5.0, nan=1)
    tensor = Tensor(id=7, dtype="float32", shape=[10, 10], summary=summary, name="z1")
    op = OpEvent(seq=0, file="a.py", line=3, op=1, op_type="Mul", inputs=[5, 6], outputs=[7])
    watch = WatchEvent(seq=1, file="a.py", line=4, tape=1, items=[WatchItem(5, "x", "watched")])
    for key, value in (("tensor", tensor), ("event", op), ("event", watch)):
        apply_record(trace, parse_line(record_line(key, value)))
    assert trace.tensors[7] == tensor
    assert trace.events == [op, watch]


def test_a_damaged_record_is_skipped_and_counted() -> None:
    trace = Trace(scenario="a.py")
    for line in ('{"tensor": {"id": "seven"}}', "[1, 2]", "{not json", '{"new_kind": {}}'):
        apply_record(trace, parse_line(line))
    apply_record(trace, parse_line('{"source": {"file": "a.py", "text": "x = 1"}}'))
    assert trace.meta["unreadable_records"] == 4
    assert trace.sources == {"a.py": "x = 1"}
