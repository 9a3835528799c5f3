"""The trace format: round trips, refusal of newer versions, tolerance of extra fields."""

from __future__ import annotations

import json
from pathlib import Path

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
from tapetui.trace.jsonio import encode_float, trace_to_dict
from tapetui.trace.labels import label
from tapetui.trace.stream import iter_records, record_line, trace_from_records


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


def test_unknown_extra_fields_are_tolerated(tmp_path: Path) -> None:
    data = trace_to_dict(small_trace())
    data["future_field"] = 1
    data["tensors"][0]["colour"] = "red"
    data["events"][0]["extra"] = [1, 2]
    path = tmp_path / "extra.json"
    path.write_text(json.dumps(data))
    assert load(path).tensors[2].data == 4.0


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


def test_a_field_of_the_wrong_type_is_reported_not_crashed_on(tmp_path: Path) -> None:
    data = trace_to_dict(small_trace())
    data["events"][2]["inputs"] = "not a list"
    path = tmp_path / "wrong.json"
    path.write_text(json.dumps(data))
    with pytest.raises(TraceFormatError, match="invalid 'inputs'"):
        load(path)
