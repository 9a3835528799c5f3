"""A hostile user at the real command line: bad trace files given to every command get one
sentence and exit 2; file names and trace text with markup, escapes and bidirectional overrides
come out visible; Ctrl-C and SIGTERM stop a runaway scenario and keep what it recorded; bytes a
scenario writes to ``sys.stdout.buffer`` are kept."""

from __future__ import annotations

import gzip
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tapetui.trace import load, save

from .command import REPO, one_sentence, tapetui

BASE = REPO / "tests" / "ui" / "traces" / "persistent.json"
RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200b]")
HOSTILE = "[bold]x[/]\x1b]0;title\x07\x1b[2J\r\u202eevil\u202c\u200bz"
SHOWN = "[bold]x[/]␛]0;title␇␛[2J␍<U+202E>evil<U+202C><U+200B>z"


@pytest.fixture(scope="module")
def bad_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("bad")
    text = BASE.read_text()
    data = json.loads(text)
    data["gradient_calls"] = None  # its backward steps name a call it no longer holds
    bodies: dict[str, bytes] = {
        "cut.json": text[: len(text) // 3].encode(),
        "empty.json": b"",
        "list.json": b"[1, 2]",
        "gzip.json": gzip.compress(text.encode()),
        "future.json": b'{"format": "tapetui-trace", "version": 99}',
        "dangling.json": json.dumps(data).encode(),
    }
    files = {}
    for name, body in bodies.items():
        files[name] = folder / name
        files[name].write_bytes(body)
    os.mkfifo(folder / "fifo.json")
    files["fifo.json"] = folder / "fifo.json"
    return files


COMMANDS = {
    "report": ["report"],
    "report --json": ["report", "--json"],
    "graph": ["graph", "-o", "{out}"],
    "debugger": ["--screenshot", "{out}"],
}
SAID = {
    "cut.json": "; it may be truncated or corrupt",
    "empty.json": " is not valid JSON (line 1, column 1); it may be truncated or corrupt",
    "list.json": " is not a tapetui trace",
    "gzip.json": " is gzip-compressed, not a tapetui trace; decompress it and open the JSON file",
    "future.json": " uses trace format 99, newer than the 3 this tapetui reads; upgrade tapetui "
    "to open it",
    "dangling.json": " is damaged: a backward_step event names gradient call 1, which the trace "
    "does not hold",
    "fifo.json": " is not a regular file (a pipe, a device or a socket); give a trace file",
}


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("name", SAID)
def test_every_command_refuses_a_bad_trace_in_one_sentence(
    bad_files: dict[str, Path], tmp_path: Path, command: str, name: str
) -> None:
    path = bad_files[name]
    out = str(tmp_path / ("g.dot" if command == "graph" else "shot.svg"))
    args = [a.format(out=out) for a in COMMANDS[command]]
    result = tapetui(*args[:1], str(path), *args[1:]) if args[0] != "--screenshot" else (
        tapetui(str(path), *args)
    )  # fmt: skip
    assert result.returncode == 2
    assert one_sentence(result.stderr).endswith(SAID[name])
    assert result.stderr.startswith(f"tapetui: {path}")
    assert result.stdout == "" and not Path(out).exists()


@pytest.fixture(scope="module")
def hostile_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A good trace under a hostile name, a damaged one under the same kind of name, and a trace
    whose tensor names, tape label and printed output are hostile."""
    folder = tmp_path_factory.mktemp("hostile")
    named = folder / f"sp ace ü {HOSTILE.replace('/', '')}.json"
    named.write_text(BASE.read_text())
    damaged = folder / f"{HOSTILE.replace('/', '')} cut.json"
    damaged.write_text(BASE.read_text()[:100])
    trace = load(BASE)
    for tensor in trace.tensors.values():
        if tensor.name == "z":
            tensor.name = HOSTILE
    trace.tapes[1].label = HOSTILE
    save(trace, folder / "text.json")
    return {"named": named, "damaged": damaged, "text": folder / "text.json"}


def test_a_hostile_file_name_is_read_and_shown_visibly_in_a_refusal(
    hostile_files: dict[str, Path],
) -> None:
    result = tapetui("report", str(hostile_files["named"]))
    assert result.returncode == 0, result.stderr
    assert "✓ dz/dx = 8.0" in result.stdout
    result = tapetui("report", str(hostile_files["damaged"]))
    assert result.returncode == 2
    sentence = one_sentence(result.stderr)
    assert RAW_CONTROL.search(result.stderr) is None
    assert "[bold]x[]␛]0;title␇␛[2J␍<U+202E>evil<U+202C><U+200B>z cut.json is not valid" in sentence


def test_report_text_json_and_dot_show_hostile_names_literally(
    hostile_files: dict[str, Path], tmp_path: Path
) -> None:
    path = str(hostile_files["text"])
    text = tapetui("report", path)
    assert text.returncode == 0, text.stderr
    assert RAW_CONTROL.search(text.stdout) is None
    lines = text.stdout.splitlines()
    assert f"gradient call 1 · line 18 · tape 1 · gradient({SHOWN}, …)" in lines
    as_json = tapetui("report", path, "--json")
    assert RAW_CONTROL.search(as_json.stdout) is None  # escaped as \u202e: the same JSON
    assert json.loads(as_json.stdout)["gradient_calls"][0]["target"] == HOSTILE
    dot = tmp_path / "g.dot"
    assert tapetui("graph", path, "-o", str(dot)).returncode == 0
    assert RAW_CONTROL.search(dot.read_text()) is None
    assert SHOWN in dot.read_text()


# --- scenarios that never end, or write bytes --------------------------------------------------

FOREVER = """\
import sys
import tensorflow as tf

x = tf.Variable(3.0)
with tf.GradientTape() as tape:
    y = x * x
print("dy/dx", tape.gradient(y, x).numpy(), flush=True)
open(sys.argv[1], "w").close()  # the test's signal to interrupt
while True:
    pass
"""


def _interrupted(tmp_path: Path, signum: int, *args: str) -> subprocess.CompletedProcess[str]:
    scenario = tmp_path / "forever.py"
    scenario.write_text(FOREVER)
    ready = tmp_path / "ready"
    child = subprocess.Popen(
        [sys.executable, "-m", "tapetui", *args, str(scenario), "--", str(ready)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO,
        stdin=subprocess.DEVNULL, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 240
        while not ready.exists() and child.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert ready.exists(), child.communicate(timeout=30)
        child.send_signal(signum)
        out, err = child.communicate(timeout=60)
    finally:
        child.kill()
    return subprocess.CompletedProcess(child.args, child.returncode, out, err)


def test_ctrl_c_stops_a_runaway_report_and_still_prints_what_ran(tmp_path: Path) -> None:
    result = _interrupted(tmp_path, signal.SIGINT, "report")
    assert result.returncode == 130
    assert "  ✓ dy/dx = 6.0" in result.stdout.splitlines()
    assert result.stderr.splitlines() == [
        "tapetui: interrupted; stopping the scenario and keeping what it recorded",
        f"tapetui: {tmp_path / 'forever.py'}: the scenario was cancelled; what ran before is "
        "recorded",
    ]


def test_sigterm_stops_a_runaway_record_and_still_writes_the_trace(tmp_path: Path) -> None:
    out = tmp_path / "t.json"
    result = _interrupted(tmp_path, signal.SIGTERM, "record", "-o", str(out))
    assert result.returncode == 130
    trace = load(out)
    assert trace.status == "cancelled"
    assert "dy/dx 6.0\n" in trace.output()
    assert result.stderr.splitlines()[-1].startswith(f"tapetui: wrote {out} (")


BYTES = """\
import sys
import tensorflow as tf

x = tf.Variable(3.0)
with tf.GradientTape() as tape:
    y = x * x
sys.stdout.buffer.write(b"\\xff\\xfe not utf-8 \\x1b]0;title\\x07 [bold]b[/] caf\\xc3")
sys.stdout.buffer.write(b"\\xa9\\n")
print("dy/dx", tape.gradient(y, x).numpy())
"""


def test_bytes_written_to_stdout_buffer_are_kept_and_shown_visibly(tmp_path: Path) -> None:
    scenario = tmp_path / "bytes.py"
    scenario.write_text(BYTES)
    out = tmp_path / "t.json"
    result = tapetui("record", str(scenario), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert load(out).output() == (
        "\\xff\\xfe not utf-8 \x1b]0;title\x07 [bold]b[/] café\ndy/dx 6.0\n"
    )


# --- what counts as a trace ---------------------------------------------------------------------


def test_a_trace_named_in_capitals_is_read_not_run(tmp_path: Path) -> None:
    upper = tmp_path / "T.JSON"
    upper.write_text(BASE.read_text())
    result = tapetui("report", str(upper))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("scenario scenarios/persistent.py · finished\n")  # not run


def test_a_trace_among_several_paths_is_refused(tmp_path: Path) -> None:
    result = tapetui(str(BASE), "scenarios/persistent.py", "--screenshot", str(tmp_path / "s.svg"))
    assert result.returncode == 2
    assert one_sentence(result.stderr) == (
        "tapetui: a trace opens on its own: give one trace, or scenarios to pick among"
    )


def test_the_record_stream_of_a_killed_tapetui_opens_with_what_it_recorded(
    tmp_path: Path,
) -> None:
    from tapetui.record.process import record

    scenario = tmp_path / "s.py"
    scenario.write_text(FOREVER.replace("while True:\n    pass\n", ""))
    stream = tmp_path / "trace.jsonl"
    record(scenario, stream_to=stream, argv=[str(tmp_path / "ready")])
    lines = stream.read_text().splitlines(keepends=True)
    final = next(i for i, line in enumerate(lines) if '"status"' in line and "finished" in line)
    cut = "".join(lines[:final]) + lines[final][:20]  # killed mid-record, before the end
    stream.write_text(cut)
    result = tapetui("report", str(stream))
    assert result.returncode == 0, result.stderr
    assert "  ✓ dy/dx = 6.0" in result.stdout.splitlines()
    assert one_sentence(result.stderr) == (
        f"tapetui: {stream}: The recording stopped before the scenario finished (tapetui itself "
        "was stopped); the trace keeps what ran before."
    )


def test_serving_a_hostile_file_name_says_so_visibly() -> None:
    from tapetui.serve import listening_sentence

    said = listening_sentence("localhost", 8000, f"{HOSTILE}.json")
    assert RAW_CONTROL.search(said) is None and f"for {SHOWN}.json at" in said


def test_an_output_naming_the_input_is_refused_and_the_input_kept(tmp_path: Path) -> None:
    trace = tmp_path / "t.json"
    trace.write_text(BASE.read_text())
    scenario = tmp_path / "s.py"
    scenario.write_text(FOREVER)
    runs = [
        ("record", str(scenario), "-o", str(tmp_path / "." / "s.py")),
        (str(trace), "--screenshot", str(trace)),
        ("graph", str(trace), "-o", str(trace)),
    ]
    for args in runs:
        result = tapetui(*args)
        assert result.returncode == 2
        assert "is the file being read; give another name such as" in one_sentence(result.stderr)
    assert scenario.read_text() == FOREVER and trace.read_text() == BASE.read_text()
