"""The ``tapetui`` command as a user runs it: record, report, and bad input with its exit code."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest

from tapetui.trace import load

from .command import one_sentence, tapetui, write

# --- bad input that never reaches a child process --------------------------------------------


def test_no_arguments_prints_usage_and_exits_2() -> None:
    result = tapetui()
    assert result.returncode == 2
    assert "tapetui record" in result.stderr


def test_missing_scenario_is_named(tmp_path: Path) -> None:
    result = tapetui("report", str(tmp_path / "missing.py"))
    assert result.returncode == 2
    assert one_sentence(result.stderr) == f"tapetui: {tmp_path / 'missing.py'} does not exist"


def test_record_refuses_a_directory(tmp_path: Path) -> None:
    result = tapetui("record", str(tmp_path), "-o", str(tmp_path / "t.json"))
    assert result.returncode == 2
    assert "is a directory" in one_sentence(result.stderr)


def test_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    bad = write(tmp_path, "bad.py", "import tensorflow as tf\nx = (1,\n")
    result = tapetui("report", str(bad))
    assert result.returncode == 2
    assert f"{bad}:2:" in one_sentence(result.stderr)


def test_binary_file_is_refused(tmp_path: Path) -> None:
    blob = tmp_path / "blob.py"
    blob.write_bytes(b"\x00\x01\x02\xff")
    result = tapetui("report", str(blob))
    assert result.returncode == 2
    assert "not a Python file" in one_sentence(result.stderr)


def test_corrupt_trace_is_refused_with_a_sentence(tmp_path: Path) -> None:
    corrupt = write(tmp_path, "t.json", '{"format": "tapetui-trace", "version": 1, "events": [')
    result = tapetui("report", str(corrupt))
    assert result.returncode == 2
    assert "not valid JSON" in one_sentence(result.stderr)


def test_record_output_folder_must_exist(tmp_path: Path) -> None:
    result = tapetui("record", "scenarios/basic.py", "-o", str(tmp_path / "no" / "t.json"))
    assert result.returncode == 2
    assert "does not exist" in one_sentence(result.stderr)


def test_bad_size_is_a_usage_error() -> None:
    result = tapetui("scenarios/basic.py", "--screenshot", "x.svg", "--size", "huge")
    assert result.returncode == 2
    assert "WIDTHxHEIGHT" in one_sentence(result.stderr)


# --- scenarios that run (one child process each) ---------------------------------------------


def test_record_writes_a_trace_that_report_reads_without_running(tmp_path: Path) -> None:
    out = tmp_path / "persistent.json"
    result = tapetui("record", "scenarios/persistent.py", "-o", str(out))
    assert result.returncode == 0, result.stderr
    trace = load(out)
    assert trace.scenario == "scenarios/persistent.py"
    report = json.loads(tapetui("report", str(out), "--json").stdout)
    values = [r["value"] for call in report["gradient_calls"] for r in call["results"]]
    assert values == [8.0, 6.0]
    assert report["stdout"].splitlines()[0].startswith("tf.Tensor(8.0")


def test_report_json_explains_none_with_its_cause() -> None:
    result = tapetui("report", "scenarios/none_cases.py", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    (first,) = report["gradient_calls"][0]["results"]
    (second,) = report["gradient_calls"][1]["results"]
    assert (first["source"], first["none"], first["cause"]) == ("x", True, "outside_tape")
    assert first["evidence_lines"] and first["fix"]
    assert (second["value"], second["cause"]) == (1.0, None)


def test_scenario_that_raises_exits_1_and_keeps_what_ran(tmp_path: Path) -> None:
    scenario = write(tmp_path, "raises.py", (
        "import tensorflow as tf\n"
        "x = tf.Variable(2.0)\n"
        "with tf.GradientTape() as tape:\n"
        "    y = x * x\n"
        "print(tape.gradient(y, x))\n"
        "raise ValueError('bad data')\n"
    ))  # fmt: skip
    out = tmp_path / "t.json"
    result = tapetui("record", str(scenario), "-o", str(out))
    assert result.returncode == 1
    assert "raised ValueError at line 6" in result.stderr
    trace = load(out)
    assert trace.status == "raised" and trace.error.line == 6
    (call,) = trace.gradient_calls.values()
    assert trace.tensors[call.result_ids[0]].data == 4.0
    report = json.loads(tapetui("report", str(scenario), "--json").stdout)
    assert report["error"] == {"type": "ValueError", "message": "bad data", "line": 6}


@pytest.mark.parametrize(
    ("body", "status", "code", "phrase"),
    [
        ("import sys\nimport tensorflow as tf\nsys.exit(3)\n", "exited", 3, "exited with code 3"),
        ("import os\nimport tensorflow as tf\nos.abort()\n", "died", 1, "died"),
        ("import tensorflow as tf\nname = input('name? ')\n", "raised", 1, "EOFError"),
        (
            "import tensorflow as tf\nprint(tf.constant(1.0) + 1)\n",
            "finished",
            0,
            "no tf.GradientTape",
        ),
    ],
    ids=["sys_exit", "abort", "input", "no_tape"],
)
def test_scenario_endings_get_one_sentence_and_an_exit_code(
    tmp_path: Path, body: str, status: str, code: int, phrase: str
) -> None:
    scenario = write(tmp_path, "s.py", body)
    out = tmp_path / "t.json"
    result = tapetui("record", str(scenario), "-o", str(out), timeout=60)
    assert result.returncode == code, result.stderr
    assert phrase in result.stderr
    assert "Traceback" not in result.stderr
    assert load(out).status == status


def test_timeout_stops_a_runaway_scenario_and_keeps_the_trace(tmp_path: Path) -> None:
    scenario = write(tmp_path, "loop.py", (
        "import tensorflow as tf\n"
        "x = tf.Variable(1.0)\n"
        "with tf.GradientTape() as tape:\n"
        "    y = x * 3.0\n"
        "while True:\n"
        "    pass\n"
    ))  # fmt: skip
    out = tmp_path / "t.json"
    # 20 s: the limit counts TensorFlow's import, which takes 8 s and more on a loaded machine
    result = tapetui("record", str(scenario), "-o", str(out), "--timeout", "20")
    assert result.returncode == 1
    assert "time limit" in result.stderr
    trace = load(out)
    assert trace.status == "timeout"
    assert any(op.op_type == "Mul" and op.line == 4 for op in trace.ops.values())


LONG_LOOP = """\
import tensorflow as tf
w = tf.Variable(2.0)
b = tf.Variable(0.5)
for step in range(5):
    with tf.GradientTape() as tape:
        loss = (w * 3.0 - 1.0) ** 2
    grads = tape.gradient(loss, [w, b])
    w.assign_sub(0.01 * grads[0])
"""


def test_the_recording_budget_is_set_on_the_command_line(tmp_path: Path) -> None:
    scenario = write(tmp_path, "loop.py", LONG_LOOP)
    result = tapetui("report", str(scenario), "--budget-tapes", "2")
    assert result.returncode == 0, result.stderr
    assert "recorded in detail: the first 2 tapes;" in result.stdout
    assert result.stdout.count("cause [no_path]") == 5  # every step's unused b, the last 3 too
    assert result.stdout.count("As in the call recorded in detail on tape 2") == 3

    report = json.loads(tapetui("report", str(scenario), "--json", "--budget-tapes", "0").stdout)
    assert report["summarised"] is None
    assert [c["results"][1]["cause"] for c in report["gradient_calls"]] == ["no_path"] * 5

    refused = tapetui("report", str(scenario), "--budget-ops", "-1")
    assert refused.returncode == 2
    assert "budget's ops must be a whole number" in one_sentence(refused.stderr)


def test_a_late_none_needs_a_bigger_budget_to_be_explained() -> None:
    scenario = "scenarios/none/frozen_after_warmup.py"
    default = json.loads(tapetui("report", scenario, "--json").stdout)
    detailed = json.loads(tapetui("report", scenario, "--json", "--budget-tapes", "0").stdout)
    summarised = default["summarised"]
    assert (summarised["reason"], summarised["tapes_in_detail"]) == ("repeats", 3)
    assert detailed["summarised"] is None
    assert default["gradient_calls"][25]["target"] == "loss"  # named though summarised
    for report, code in ((default, "not_recorded_in_detail"), (detailed, "stop_gradient")):
        late = [c["results"][0] for c in report["gradient_calls"][20:]]
        assert [r["cause"] for r in late] == [code] * 10
        assert all(c["results"][0]["cause"] is None for c in report["gradient_calls"][:20])


def test_the_debugger_records_with_the_budget_it_was_given(tmp_path: Path) -> None:
    shot = tmp_path / "why.svg"
    scenario = "scenarios/none/frozen_after_warmup.py"
    result = tapetui(scenario, "--budget-tapes", "0", "--screenshot", str(shot), "--press", "w")
    assert result.returncode == 0, result.stderr
    screen = html.unescape(re.sub(r"<[^>]+>", " ", shot.read_text()))
    assert "cause: stop_gradient" in " ".join(screen.split())
    assert "in detail)" not in screen  # every tape in detail: the status line says nothing
