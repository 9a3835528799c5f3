"""Records are written by their fields' declared types, and the text is what writing every field
by its value's type gives: on every record of real traces, and on fields holding another type."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from tapetui.trace import encode, load
from tapetui.trace.encode import dataclass_function, record_text
from tapetui.trace.events import OpEvent
from tapetui.trace.model import Tensor

TRACES = sorted((Path(__file__).parents[1] / "ui" / "traces").glob("*.json"))


def _written(value: Any, typed: bool) -> str:
    """The record written with every field by its declared type (raising ``TypeError`` for a
    value of another), or by its value's type."""
    names = {"_v": encode.value_text, "_E": "", "_p": encode.floats_text, **encode._TYPED}
    text: str = eval(encode._source(type(value), names, typed), names)(value)
    return text


def _records(path: Path) -> list[Any]:
    trace = load(path)
    return [
        *trace.tensors.values(),
        *trace.variables.values(),
        *trace.tapes.values(),
        *trace.gradient_calls.values(),
        *trace.events,
    ]


@pytest.mark.parametrize("path", TRACES, ids=[p.stem for p in TRACES])
def test_every_record_of_a_real_trace_is_written_as_its_values_types_write_it(path: Path) -> None:
    records = _records(path)
    assert len(records) > 5
    for record in records:
        assert _written(record, typed=True) == _written(record, typed=False)
        assert dataclass_function(type(record))(record) == _written(record, typed=False)


def test_a_field_holding_another_type_than_declared_is_still_written_by_its_value() -> None:
    tensor = Tensor(7, "float32", [2], [1.5, 2.5], producer=3, file="s.py", line=14)
    odd = dataclasses.replace(tensor, line=14.0, dtype=None)  # type: ignore[arg-type]
    written = json.loads(record_text("tensor", odd))["tensor"]
    assert written["line"] == 14.0 and written["dtype"] is None
    op = OpEvent(1, None, None, op=2, op_type="Mul", inputs=[1, 2], outputs=[3])
    assert json.loads(record_text("event", op))["event"] == {
        "kind": "op", "seq": 1, "file": None, "line": None, "op": 2, "op_type": "Mul",
        "inputs": [1, 2], "outputs": [3],
    }  # fmt: skip
