"""Floats packed in stream records read back as the very same values, and only floats are packed."""

from __future__ import annotations

import json

import pytest

from tapetui.trace.checks import TraceFormatError
from tapetui.trace.model import Tensor, Trace, ValueSummary
from tapetui.trace.packed import packed_text, unpacked
from tapetui.trace.stream import apply_record, parse_line, record_line

FLOAT32_VALUES = [0.009999999776482582, 1.242690920829773, -0.2155543863773346, 3.0, -0.0, 1e-45]


def _read_back(tensor: Tensor) -> Tensor:
    trace = Trace(scenario="a.py")
    apply_record(trace, parse_line(record_line("tensor", tensor)))
    assert trace.meta == {}
    return trace.tensors[tensor.id]


def test_a_float_tensor_reads_back_bit_for_bit() -> None:
    tensor = Tensor(id=3, dtype="float32", shape=[6], data=FLOAT32_VALUES, producer=2)
    assert '"f8":' in record_line("tensor", tensor)
    back = _read_back(tensor)
    assert back == tensor
    assert [v.hex() for v in back.data] == [v.hex() for v in FLOAT32_VALUES]  # -0.0 stays -0.0


def test_nested_values_keep_their_shape() -> None:
    data = [[[0.5, 1.5], [2.5, 3.5]], [[4.5, 5.5], [6.5, 7.5]], [[8.5, 9.5], [1.25, 2.25]]]
    tensor = Tensor(id=4, dtype="float64", shape=[3, 2, 2], data=data)
    assert _read_back(tensor).data == data


def test_a_summary_preview_is_packed_too() -> None:
    summary = ValueSummary(size=100, preview=[0.1, 0.2, 0.3, 0.4, 0.5], min=0.1, max=9.0, mean=2.0)
    tensor = Tensor(id=5, dtype="float32", shape=[10, 10], summary=summary)
    assert _read_back(tensor).summary == summary


@pytest.mark.parametrize(
    ("data", "shape"),
    [
        ([1, 2, 3, 4], [4]),  # ints would come back floats
        ([1.0, 2, 3.0, 4.0], [4]),
        ([1.0, "nan", 2.0, 3.0], [4]),  # NaN and Inf stay the strings a trace stores them as
        ([1.0, 2.0, 3.0], [3]),  # too short to be worth it
        ([1.0, 2.0, 3.0, 4.0], [5]),  # not of its shape
        (2.5, []),
    ],
)
def test_anything_else_is_written_as_json(data: object, shape: list[int]) -> None:
    assert packed_text(data, shape) is None
    tensor = Tensor(id=6, dtype="float32", shape=shape, data=data)
    assert _read_back(tensor).data == data


def test_a_damaged_packed_value_is_an_unreadable_record() -> None:
    for value in ('{"f8": "not base64!"}', '{"f8": "AAAA"}', '{"f8": 7}'):
        with pytest.raises(TraceFormatError):
            unpacked(json.loads(value), [1])
    trace = Trace(scenario="a.py")
    line = (
        '{"tensor": {"id": 1, "dtype": "float32", "shape": [3, 3], "data": {"f8": "AAAAAAAA8D8="}}}'
    )
    apply_record(trace, parse_line(line))
    assert trace.meta["unreadable_records"] == 1 and trace.tensors == {}
