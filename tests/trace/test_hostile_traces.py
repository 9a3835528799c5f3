"""Trace files nobody has shown us: each one is read, or refused with one sentence naming the file
(``TraceFormatError``), never an exception from deeper down; invisible and reordering characters
are shown by their code point; a save is whole or leaves the file that was there."""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path
from typing import Any

import pytest

from tapetui.trace import Trace, TraceFormatError, load, save
from tapetui.trace.jsonio import dumps
from tapetui.trace.printable import has_control, json_safe, printable, printable_line

BASE = Path(__file__).resolve().parents[1] / "ui" / "traces" / "persistent.json"


@pytest.fixture(scope="module")
def base_text() -> str:
    return BASE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def base_trace() -> Trace:
    return load(BASE)


def _refusal(path: Path) -> str:
    with pytest.raises(TraceFormatError) as caught:
        load(path)
    message = str(caught.value)
    assert message.startswith(str(path)) and "\n" not in message
    return message[len(str(path)) :]


def _write(tmp_path: Path, data: Any, name: str = "t.json") -> Path:
    path = tmp_path / name
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


# --- not a trace at all -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "said"),
    [
        ("", " is not valid JSON (line 1, column 1); it may be truncated or corrupt"),
        ("  \n", " is not valid JSON (line 2, column 1); it may be truncated or corrupt"),
        ("hello", " is not valid JSON (line 1, column 1); it may be truncated or corrupt"),
        ("[1, 2, 3]", " is not a tapetui trace"),
        ("42", " is not a tapetui trace"),
        ("null", " is not a tapetui trace"),
        ('{"format": "tapetui-trace", "version": 99}', " uses trace format 99, newer than the 3 "
         "this tapetui reads; upgrade tapetui to open it"),
        ('{"format": "tapetui-trace", "version": "3"}', " has no valid format version"),
        ("[" * 100_000 + "]" * 100_000, " is nested too deeply to be a tapetui trace"),
    ],
)  # fmt: skip
def test_what_is_not_a_trace_is_refused_in_one_sentence(
    tmp_path: Path, body: str, said: str
) -> None:
    assert _refusal(_write(tmp_path, body)) == said


def test_a_trace_cut_short_as_by_kill_9_says_where_it_ends(tmp_path: Path, base_text: str) -> None:
    cut = _write(tmp_path, base_text[: len(base_text) // 2])
    assert _refusal(cut).endswith("; it may be truncated or corrupt")


def test_binary_and_utf16_files_are_not_utf8_text(tmp_path: Path, base_text: str) -> None:
    binary = _write(tmp_path, bytes(range(256)) * 4, "binary.json")
    assert _refusal(binary) == " is not a tapetui trace (it is not UTF-8 text)"
    utf16 = _write(tmp_path, base_text.encode("utf-16"), "utf16.json")
    assert _refusal(utf16) == " is not a tapetui trace (it is not UTF-8 text)"


def test_a_gzipped_trace_is_named_as_compressed(tmp_path: Path, base_text: str) -> None:
    packed = _write(tmp_path, gzip.compress(base_text.encode()), "t.json")
    assert _refusal(packed) == (
        " is gzip-compressed, not a tapetui trace; decompress it and open the JSON file"
    )


def test_a_byte_order_mark_written_by_an_editor_is_read(tmp_path: Path, base_text: str) -> None:
    marked = _write(tmp_path, b"\xef\xbb\xbf" + base_text.encode(), "bom.json")
    assert load(marked).gradient_calls.keys() == load(BASE).gradient_calls.keys()


def test_a_folder_a_missing_file_a_pipe_a_device_and_a_link_loop(tmp_path: Path) -> None:
    (tmp_path / "dir.json").mkdir()
    assert _refusal(tmp_path / "dir.json") == " is a directory, not a trace file"
    assert _refusal(tmp_path / "gone.json") == " does not exist"
    os.mkfifo(tmp_path / "fifo.json")  # opening it would wait for a writer for ever
    assert _refusal(tmp_path / "fifo.json") == (
        " is not a regular file (a pipe, a device or a socket); give a trace file"
    )
    (tmp_path / "zero.json").symlink_to("/dev/zero")  # reading it would never end
    assert _refusal(tmp_path / "zero.json").startswith(" is not a regular file")
    (tmp_path / "a.json").symlink_to(tmp_path / "b.json")
    (tmp_path / "b.json").symlink_to(tmp_path / "a.json")
    assert _refusal(tmp_path / "a.json") == " cannot be read: too many levels of symbolic links"


# --- a trace of the wrong shape -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "value", "said"),
    [
        ("meta", 5, "'meta' should be an object, found int"),
        ("meta", [1, 2], "'meta' should be an object, found list"),
        ("sources", "x", "'sources' should be an object, found str"),
        ("error", {"a": 1}, "an error is missing the fields 'type' and 'message'"),
        ("error", {"type": "E"}, "an error is missing the field 'message'"),
        ("tapes", [], "'tapes' should be a table of named columns"),
        ("seed", None, "'seed' should be a whole number"),
        ("exit_code", "x", "'exit_code' should be a whole number"),
    ],
)
def test_a_field_of_the_wrong_shape_is_named(
    tmp_path: Path, base_text: str, key: str, value: Any, said: str
) -> None:
    data = json.loads(base_text)
    data[key] = value
    assert _refusal(_write(tmp_path, data)) == f" is damaged: {said}"


def test_an_op_event_of_the_wrong_type_reads_an_op(tmp_path: Path, base_text: str) -> None:
    data = json.loads(base_text)
    ops = next(t for t in data["events"]["tables"] if t["kind"] == "op")
    ops["columns"][ops["fields"].index("line")][0] = "x"
    assert (
        _refusal(_write(tmp_path, data)) == " is damaged: an op event has an invalid 'line' ('x')"
    )


def _saved(tmp_path: Path, trace: Trace) -> Path:
    path = tmp_path / "t.json"
    path.write_text(dumps(trace), encoding="utf-8")
    return path


def test_events_naming_a_gradient_call_the_trace_does_not_hold(
    tmp_path: Path, base_trace: Trace
) -> None:
    trace = load(BASE)
    trace.gradient_calls = {}
    said = _refusal(_saved(tmp_path, trace))
    assert (
        said
        == " is damaged: a backward_step event names gradient call 1, which the trace does not hold"
    )


def test_a_gradient_call_on_a_tape_the_trace_does_not_hold(tmp_path: Path) -> None:
    trace = load(BASE)
    trace.gradient_calls[1].tape = 4242
    said = _refusal(_saved(tmp_path, trace))
    assert said == " is damaged: gradient call 1 names tape 4242, which the trace does not hold"


def test_an_op_twice_in_the_timeline_is_refused(tmp_path: Path) -> None:
    trace = load(BASE)
    trace.events = trace.events + trace.events
    assert (
        _refusal(_saved(tmp_path, trace))
        == " is damaged: op 1 appears more than once in the timeline"
    )


@pytest.mark.parametrize("line", [-5, 0, 10**18])
def test_odd_line_numbers_and_shuffled_seqs_are_read(tmp_path: Path, line: int) -> None:
    trace = load(BASE)
    for event in trace.events:
        event.line = line if event.line is not None else None
        event.seq = 7  # every seq the same
    trace.events.reverse()
    read = load(_saved(tmp_path, trace))
    assert {e.line for e in read.events} <= {line, None}
    assert [e.kind for e in read.events] == [e.kind for e in trace.events]


# --- text that reads one way and is another -------------------------------------------------------

BIDI = "x = 1  # \u202eevil\u202c"


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        (BIDI, "x = 1  # <U+202E>evil<U+202C>"),
        ("lo\u200bss", "lo<U+200B>ss"),
        ("\u2066[b]x[/]\u2069", "<U+2066>[b]x[/]<U+2069>"),
        ("a\u2028b", "a<U+2028>b"),
        ("\ufeffname", "<U+FEFF>name"),
        ("x\u200dy", "x<U+200D>y"),  # a joiner between ASCII letters hides
        ("tag\U000e0041", "tag<U+E0041>"),
    ],
)
def test_invisible_characters_are_shown_by_code_point(text: str, shown: str) -> None:
    assert printable(text) == shown and printable_line(text) == shown
    assert has_control(text)


def test_joiners_inside_emoji_and_persian_text_are_kept() -> None:
    for text in ("👨\u200d👩", "می\u200cخواهم"):
        assert printable(text) == text and not has_control(text)


def test_json_output_escapes_invisible_characters_and_stays_the_same_json() -> None:
    text = json.dumps({"name": BIDI + "\U000e0041\x7f"}, ensure_ascii=False)
    safe = json_safe(text)
    assert "\u202e" not in safe and "\U000e0041" not in safe and "\\u202e" in safe
    assert json.loads(safe) == json.loads(text)


# --- saving -------------------------------------------------------------------------------------


def test_a_save_that_fails_leaves_the_trace_that_was_there(
    tmp_path: Path, base_trace: Trace, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "t.json"
    save(base_trace, out)
    before = out.read_bytes()

    def killed(*_: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", killed)
    with pytest.raises(OSError):
        save(Trace(scenario="other.py"), out)
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.json"]  # no part file left


def test_a_save_through_a_link_replaces_its_target_and_keeps_the_link(
    tmp_path: Path, base_trace: Trace
) -> None:
    target = tmp_path / "real.json"
    target.write_text("old")
    target.chmod(0o640)
    (tmp_path / "link.json").symlink_to(target)
    save(base_trace, tmp_path / "link.json")
    assert (tmp_path / "link.json").is_symlink()
    assert load(target).gradient_calls.keys() == base_trace.gradient_calls.keys()
    assert target.stat().st_mode & 0o777 == 0o640
