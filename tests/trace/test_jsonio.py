"""The trace format: round trips, refusal of newer versions, tolerance of extra fields."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from tapetui.trace import (
    FORMAT_VERSION,
    BackwardStepEvent,
    ErrorInfo,
    GradientCall,
    GradientCallEvent,
    OpEvent,
    OutputEvent,
    Tape,
    TapeEnterEvent,
    Tensor,
    Trace,
    TraceFormatError,
    ValueSummary,
    Variable,
    WatchEvent,
    WatchItem,
    load,
    save,
)
from tapetui.trace.jsonio import encode_float, trace_from_dict, trace_to_dict
from tapetui.trace.labels import label
from tapetui.trace.stream import iter_records, record_line, trace_from_records

V1_TRACE = Path(__file__).resolve().parent / "data" / "v1_persistent.json"
"""scenarios/persistent.py as recorded in trace format 1 (one JSON object per record)."""


def small_trace() -> Trace:
    trace = Trace(scenario="scenarios/persistent.py", status="finished", exit_code=0)
    trace.sources["persistent.py"] = "x = tf.Variable(4.0)\n"
    trace.variables[1] = Variable(
        id=1,
        name="Variable",
        dtype="float32",
        shape=[],
        trainable=True,
        pyname="x",
        data=4.0,
        line=1,
    )
    trace.tapes[1] = Tape(
        id=1,
        file="persistent.py",
        line=3,
        persistent=True,
        watch_accessed_variables=True,
        watched=[1],
    )
    trace.tensors[2] = Tensor(id=2, dtype="float32", shape=[], data=4.0, producer=10, variable=1)
    trace.tensors[3] = Tensor(id=3, dtype="float32", shape=[], data=16.0, name="z1", producer=11)
    trace.tensors[4] = Tensor(
        id=4,
        dtype="float32",
        shape=[1000],
        summary=ValueSummary(size=1000, preview=[1.0, 2.0], min=0.0, max=9.0, mean=4.5, nan=1),
    )
    trace.tensors[5] = Tensor(id=5, dtype="float32", shape=[], data=8.0)
    trace.gradient_calls[1] = GradientCall(
        id=1,
        tape=1,
        method="gradient",
        file="persistent.py",
        line=7,
        seq=5,
        target=3,
        sources=[1],
        results=[5],
        target_ids=[3],
        source_ids=[1],
        result_ids=[5],
        error=ErrorInfo(type="RuntimeError", message="boom", line=7),
    )
    trace.events = [
        TapeEnterEvent(seq=0, file="persistent.py", line=3, tape=1),
        WatchEvent(
            seq=1,
            file="persistent.py",
            line=4,
            tape=1,
            explicit=False,
            items=[WatchItem(ref=1, label="x", status="watched")],
        ),
        OpEvent(
            seq=2,
            file="persistent.py",
            line=4,
            op=10,
            op_type="ReadVariableOp",
            inputs=[1],
            outputs=[2],
            recorded_by=[1],
        ),
        OpEvent(
            seq=3,
            file="persistent.py",
            line=4,
            op=11,
            op_type="Mul",
            inputs=[2, 2],
            outputs=[3],
            recorded_by=[1],
        ),
        OutputEvent(seq=4, file="persistent.py", line=8, stream="stdout", text="8.0\n"),
        GradientCallEvent(seq=5, file="persistent.py", line=7, call=1),
        BackwardStepEvent(
            seq=6,
            file="persistent.py",
            line=4,
            call=1,
            op=11,
            op_type="Mul",
            upstream=[None],
            produced=[5, 5],
        ),
    ]
    trace.reindex()
    return trace


def test_save_and_load_round_trip_keeps_everything(tmp_path: Path) -> None:
    trace = small_trace()
    save(trace, tmp_path / "t.json")
    loaded = load(tmp_path / "t.json")
    assert trace_to_dict(loaded) == trace_to_dict(trace)
    assert loaded.ops[11].op_type == "Mul"
    assert loaded.tensors[4].summary.nan == 1
    assert loaded.gradient_calls[1].error.type == "RuntimeError"
    assert loaded.events[1].items[0].label == "x"


def test_newer_format_version_is_refused_with_a_sentence(tmp_path: Path) -> None:
    data = trace_to_dict(small_trace())
    data["version"] = FORMAT_VERSION + 1
    path = tmp_path / "new.json"
    path.write_text(json.dumps(data))
    with pytest.raises(TraceFormatError, match=r"newer than .* upgrade tapetui"):
        load(path)


def _event_table(data: dict[str, Any], kind: str) -> dict[str, Any]:
    return next(t for t in data["events"]["tables"] if t["kind"] == kind)


def _add_column(table: dict[str, Any], name: str, value: Any) -> None:
    table["fields"].append(name)
    table["columns"].append([value] * len(table["columns"][0]))


def _column(table: dict[str, Any], field: str) -> Any:
    return table["columns"][table["fields"].index(field)]


def _set_cell(table: dict[str, Any], field: str, row: int, value: Any) -> None:
    table["columns"][table["fields"].index(field)][row] = value


def _as_rows(table: dict[str, Any]) -> None:
    """A format 3 table turned into format 2's layout, in place."""
    table["rows"] = [list(row) for row in zip(*table.pop("columns"), strict=True)]


def as_format_2(data: dict[str, Any]) -> dict[str, Any]:
    """What the last tapetui to write format 2 wrote for the same trace."""
    for key in ("tapes", "variables", "tensors", "gradient_calls"):
        _as_rows(data[key])
    for table in data["events"]["tables"]:
        _as_rows(table)
    data["version"] = 2
    return data


def test_unknown_extra_fields_are_tolerated(tmp_path: Path) -> None:
    data = trace_to_dict(small_trace())
    data["future_field"] = 1
    _add_column(data["tensors"], "colour", "red")
    _add_column(_event_table(data, "op"), "extra", [1, 2])
    path = tmp_path / "extra.json"
    path.write_text(json.dumps(data))
    loaded = load(path)
    assert loaded.tensors[2].data == 4.0
    assert loaded.ops[11].inputs == [2, 2]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        ('{"format": "something-else", "version": 1}', "not a tapetui trace"),
        (
            '{"format": "tapetui-trace", "version": 1, "events": [{"kind": "teleport"}]}',
            "unknown event kind",
        ),
        ('{"format": "tapetui-trace", "version": 1, "tensors": 5}', "should be a list"),
        (
            '{"format": "tapetui-trace", "version": 2, "events": {"order": [0], "tables": '
            '[{"kind": "teleport", "fields": [], "rows": [[]]}]}}',
            "unknown event kind",
        ),
        ('{"format": "tapetui-trace", "version": 2, "tensors": [5]}', "should be a table"),
        (
            '{"format": "tapetui-trace", "version": 3, "events": {"order": [0], "tables": '
            '[{"kind": "teleport", "fields": [], "columns": []}]}}',
            "unknown event kind",
        ),
        ('{"format": "tapetui-trace", "version": 3, "tensors": [5]}', "should be a table"),
        (
            '{"format": "tapetui-trace", "version": 3, "tapes": {"fields": ["id"], "columns": 1}}',
            "should be a table with a list of columns",
        ),
        ('{"format": "tapetui-trace", "version": true}', "no valid format version"),
    ],
)
def test_damaged_traces_give_one_sentence_naming_the_file(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(TraceFormatError, match=message) as info:
        load(path)
    assert str(path) in str(info.value)


def test_missing_trace_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(TraceFormatError, match="does not exist"):
        load(tmp_path / "nope.json")


def test_a_stream_cut_mid_line_gives_the_partial_trace() -> None:
    trace = small_trace()
    lines = [
        record_line("tape", trace.tapes[1]),
        record_line("event", trace.events[0]),
        record_line("event", trace.events[2]),
    ]
    cut = [*lines[:2], lines[2][:15]]  # the writer died while writing the third record
    partial = trace_from_records(iter_records(cut), "persistent.py")
    assert [e.kind for e in partial.events] == ["tape_enter"]
    assert partial.tapes[1].persistent is True


def test_non_finite_floats_are_encoded_as_strings() -> None:
    assert [encode_float(float(x)) for x in ("nan", "inf", "-inf", "1.5")] == [
        "nan",
        "inf",
        "-inf",
        1.5,
    ]


def test_labels_use_the_scenarios_names_else_readable_fallbacks() -> None:
    trace = small_trace()
    assert label(trace, 1) == "x"
    assert label(trace, 3) == "z1"
    assert label(trace, 2) == "x"  # the value read from variable x
    trace.variables[1].pyname = None
    assert label(trace, 1) == "Variable 'Variable'"
    assert label(trace, 5) == "constant 8.0"


def _damaged(tmp_path: Path, data: dict[str, Any]) -> str:
    path = tmp_path / "damaged.json"
    path.write_text(json.dumps(data))
    with pytest.raises(TraceFormatError) as info:
        load(path)
    message = str(info.value)
    assert message.startswith(f"{path} is damaged: ") and "\n" not in message
    return message.removeprefix(f"{path} is damaged: ")


def test_a_field_of_the_wrong_type_is_reported_not_crashed_on(tmp_path: Path) -> None:
    data = trace_to_dict(small_trace())
    ops = _event_table(data, "op")
    _set_cell(ops, "inputs", 1, "not a list")
    assert _damaged(tmp_path, data) == "an op event has an invalid 'inputs' ('not a list')"


def test_a_boolean_where_a_number_belongs_is_refused(tmp_path: Path) -> None:
    data = trace_to_dict(small_trace())
    tensors = data["tensors"]
    _set_cell(tensors, "producer", 0, True)
    assert _damaged(tmp_path, data) == "a tensor has an invalid 'producer' (True)"


def test_an_id_list_holding_a_string_is_refused(tmp_path: Path) -> None:
    data = trace_to_dict(small_trace())
    ops = _event_table(data, "op")
    _set_cell(ops, "outputs", 0, [2, "3"])
    assert "invalid 'outputs' ([2, '3'])" in _damaged(tmp_path, data)


def test_a_short_column_is_refused(tmp_path: Path) -> None:
    data = trace_to_dict(small_trace())
    data["tensors"]["columns"][1].pop()
    assert _damaged(tmp_path, data) == "the columns of 'tensors' are not all the same length"


def test_a_missing_column_is_refused(tmp_path: Path) -> None:
    data = trace_to_dict(small_trace())
    data["tensors"]["columns"].pop()
    assert _damaged(tmp_path, data) == "'tensors' has 9 columns for 10 fields"


def test_a_format_2_trace_still_loads_as_the_same_trace(tmp_path: Path) -> None:
    trace = small_trace()
    path = tmp_path / "old.json"
    path.write_text(json.dumps(as_format_2(trace_to_dict(trace))))
    loaded = load(path)
    assert loaded.version == 2
    assert loaded.ops[11].inputs == [2, 2]
    assert loaded.events[1].items[0].label == "x"
    assert {**trace_to_dict(loaded), "version": 0} == {**trace_to_dict(trace), "version": 0}


def test_a_short_row_of_a_format_2_trace_is_refused(tmp_path: Path) -> None:
    data = as_format_2(trace_to_dict(small_trace()))
    data["tensors"]["rows"][1].pop()
    assert _damaged(tmp_path, data) == "a row of 'tensors' has 9 values for 10 fields"


def test_a_wrong_type_in_a_format_2_row_is_refused(tmp_path: Path) -> None:
    data = as_format_2(trace_to_dict(small_trace()))
    tensors = data["tensors"]
    tensors["rows"][0][tensors["fields"].index("producer")] = "Mul"
    assert _damaged(tmp_path, data) == "a tensor has an invalid 'producer' ('Mul')"


def test_an_event_order_that_does_not_match_the_tables_is_refused(tmp_path: Path) -> None:
    data = trace_to_dict(small_trace())
    data["events"]["order"].append(0)
    assert _damaged(tmp_path, data) == "the events' order does not match their tables"


def many_ops_trace(data: list[Any] | None = None, count: int = 40) -> Trace:
    """A loop's worth of ops on one line of one file: columns of repeats, as real traces have;
    tensor ``i`` holds ``data[i]``."""
    trace = Trace(scenario="loop.py", status="finished", exit_code=0)
    for i in range(count):
        value = data[i] if data is not None else float(i)
        trace.tensors[i] = Tensor(id=i, dtype="float32", shape=[], data=value)
        trace.events.append(
            OpEvent(seq=i, file="loop.py", line=5, op=i, op_type="Mul", inputs=[i], outputs=[i])
        )
    trace.reindex()
    return trace


def test_columns_of_repeats_are_written_as_runs_and_read_back(tmp_path: Path) -> None:
    trace = many_ops_trace()
    save(trace, tmp_path / "loop.json")
    data = json.loads((tmp_path / "loop.json").read_text())
    ops = _event_table(data, "op")
    assert _column(ops, "file") == {"runs": ["loop.py", 40]}
    assert _column(ops, "op_type") == {"runs": ["Mul", 40]}
    assert _column(ops, "seq") == list(range(40))  # no repeats: written as it is
    loaded = load(tmp_path / "loop.json")
    assert trace_to_dict(loaded) == trace_to_dict(trace)
    assert [e.line for e in loaded.events] == [5] * 40


def test_runs_keep_true_apart_from_1(tmp_path: Path) -> None:
    save(many_ops_trace([True] * 20 + [1] * 20), tmp_path / "loop.json")
    tensors = json.loads((tmp_path / "loop.json").read_text())["tensors"]
    assert _column(tensors, "data") == {"runs": [True, 20, 1, 20]}  # though True == 1
    loaded = load(tmp_path / "loop.json")
    assert [type(loaded.tensors[i].data) for i in (19, 20)] == [bool, int]


def test_floats_are_never_written_as_runs_so_minus_zero_stays(tmp_path: Path) -> None:
    save(many_ops_trace([0.0] * 20 + [-0.0] * 20), tmp_path / "loop.json")
    tensors = json.loads((tmp_path / "loop.json").read_text())["tensors"]
    assert isinstance(_column(tensors, "data"), list)
    loaded = load(tmp_path / "loop.json")
    assert [math.copysign(1.0, loaded.tensors[i].data) for i in (19, 20)] == [1.0, -1.0]


@pytest.mark.parametrize(
    ("runs", "message"),
    [
        (["loop.py", 39], "the columns of the op events are not all the same length"),
        (["loop.py", 10**12], "the columns of the op events are not all the same length"),
        (["loop.py", True], "the columns of the op events are not all the same length"),
        (["loop.py"], "a column of the op events should be values or runs of plain values"),
        ([["loop.py"], 40], "a column of the op events should be values or runs of plain values"),
        ([7, 40], "an op event has an invalid 'file' (7)"),
    ],
)
def test_damaged_runs_are_refused(tmp_path: Path, runs: list[Any], message: str) -> None:
    data = trace_to_dict(many_ops_trace())
    ops = _event_table(data, "op")
    ops["columns"][ops["fields"].index("file")] = {"runs": runs}
    assert _damaged(tmp_path, data) == message


def test_a_table_of_runs_alone_is_refused(tmp_path: Path) -> None:
    data = trace_to_dict(many_ops_trace())
    ops = _event_table(data, "op")
    ops["columns"] = [{"runs": [0, 10**9]} for _ in ops["columns"]]  # would be a billion ops
    assert _damaged(tmp_path, data) == "the columns of the op events are not all the same length"


def test_events_keep_their_timeline_order_across_kinds() -> None:
    data = json.loads(json.dumps(trace_to_dict(small_trace())))
    trace = trace_from_dict(data)
    assert [e.seq for e in trace.events] == list(range(7))
    assert [e.kind for e in trace.events][:4] == ["tape_enter", "watch", "op", "op"]


def test_a_version_1_trace_still_loads_with_its_recorded_values() -> None:
    trace = load(V1_TRACE)
    assert trace.version == 1
    results = {
        trace.gradient_calls[c].line: trace.tensors[trace.gradient_calls[c].result_ids[0]].data
        for c in trace.gradient_calls
    }
    assert results == {18: 8.0, 22: 6.0}  # dz/dx and dz/dy of scenarios/persistent.py
    mul = next(op for op in trace.ops.values() if op.op_type == "Mul")
    assert (mul.line, [label(trace, t) for t in mul.outputs]) == (13, ["z1"])


def test_a_version_1_trace_saved_again_is_format_3_and_the_same_trace(tmp_path: Path) -> None:
    old = load(V1_TRACE)
    save(old, tmp_path / "again.json")
    assert json.loads((tmp_path / "again.json").read_text())["version"] == FORMAT_VERSION == 3
    new = load(tmp_path / "again.json")
    assert trace_to_dict(new) == trace_to_dict(old)
    assert [type(e) for e in new.events] == [type(e) for e in old.events]


def test_format_3_is_smaller_than_format_1_for_the_same_trace(tmp_path: Path) -> None:
    save(load(V1_TRACE), tmp_path / "again.json")
    assert (tmp_path / "again.json").stat().st_size < 0.75 * V1_TRACE.stat().st_size
