"""The rest of the bad-input matrix, through the real command: each case gets one sentence that
names the file, a documented exit code, and, where recording had started, the partial trace."""

from __future__ import annotations

import json
from pathlib import Path

from tapetui.trace import load

from .command import one_sentence, tapetui, write

TAPE = (
    "import tensorflow as tf\n"
    "x = tf.Variable(3.0)\n"
    "with tf.GradientTape() as tape:\n"
    "    y = x * x\n"
)


# --- paths that hold no scenario ----------------------------------------------------------------


def test_an_empty_folder_is_named_and_refused(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    result = tapetui(str(empty))
    assert result.returncode == 2
    assert one_sentence(result.stderr) == f"tapetui: no scenario (.py file) found in {empty}"


def test_a_folder_without_python_files_is_named_and_refused(tmp_path: Path) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "README.txt").write_text("not a scenario\n")
    result = tapetui(str(folder))
    assert result.returncode == 2
    assert str(folder) in one_sentence(result.stderr)


def test_report_on_a_folder_says_it_wants_a_file(tmp_path: Path) -> None:
    result = tapetui("report", str(tmp_path))
    assert result.returncode == 2
    assert one_sentence(result.stderr) == f"tapetui: {tmp_path} is a directory, not a Python file"


# --- source encodings ---------------------------------------------------------------------------


def test_latin1_source_without_a_coding_line_is_refused(tmp_path: Path) -> None:
    scenario = tmp_path / "latin.py"
    scenario.write_bytes(b"# caf\xe9\n" + TAPE.encode())
    result = tapetui("report", str(scenario))
    assert result.returncode == 2
    sentence = one_sentence(result.stderr)
    assert str(scenario) in sentence and "not UTF-8" in sentence


def test_latin1_source_with_a_coding_line_runs_as_python_runs_it(tmp_path: Path) -> None:
    scenario = tmp_path / "latin.py"
    body = "# -*- coding: latin-1 -*-\n# café\n" + TAPE + "print(tape.gradient(y, x))\n"
    scenario.write_bytes(body.encode("latin-1"))
    out = tmp_path / "t.json"
    result = tapetui("record", str(scenario), "-o", str(out))
    assert result.returncode == 0, result.stderr
    trace = load(out)
    (call,) = trace.gradient_calls.values()
    assert trace.tensors[call.result_ids[0]].data == 6.0
    assert "# café" in trace.sources[str(scenario)]


# --- scenarios that fail while recording ----------------------------------------------------------


def test_an_import_error_names_the_module_and_line(tmp_path: Path) -> None:
    scenario = write(tmp_path, "imports.py", "import tensorflow as tf\nimport not_installed_here\n")
    result = tapetui("report", str(scenario))
    assert result.returncode == 1
    assert (
        f"{scenario}: the scenario raised ModuleNotFoundError at line 2: "
        "No module named 'not_installed_here'"
    ) in result.stderr


def test_an_exception_inside_a_tape_keeps_the_ops_before_it(tmp_path: Path) -> None:
    scenario = write(tmp_path, "midway.py", TAPE + "    raise RuntimeError('lost the batch')\n")
    out = tmp_path / "t.json"
    result = tapetui("record", str(scenario), "-o", str(out))
    assert result.returncode == 1
    assert "raised RuntimeError at line 5: lost the batch" in result.stderr
    trace = load(out)
    assert trace.status == "raised" and trace.error.line == 5
    (mul,) = [op for op in trace.ops.values() if op.op_type == "Mul"]
    assert mul.line == 4 and trace.tensors[mul.outputs[0]].data == 9.0
    assert mul.recorded_by == [1]


def test_os_exit_keeps_the_partial_trace_and_says_what_happened(tmp_path: Path) -> None:
    scenario = write(tmp_path, "hard_exit.py", "import os\n" + TAPE + "os._exit(3)\n")
    out = tmp_path / "t.json"
    result = tapetui("record", str(scenario), "-o", str(out))
    assert result.returncode == 1
    assert "ended with exit code 3 after line 5 before the scenario finished" in result.stderr
    assert "cuInit" not in result.stderr and "Traceback" not in result.stderr
    trace = load(out)
    assert trace.status == "died" and trace.exit_code == 3
    assert any(op.op_type == "Mul" and op.line == 5 for op in trace.ops.values())


def test_a_segfault_keeps_the_partial_trace(tmp_path: Path) -> None:
    scenario = write(tmp_path, "segv.py", "import ctypes\n" + TAPE + "ctypes.string_at(0)\n")
    out = tmp_path / "t.json"
    result = tapetui("record", str(scenario), "-o", str(out))
    assert result.returncode == 1
    assert "died with SIGSEGV after line 5" in result.stderr
    trace = load(out)
    assert trace.status == "died"
    assert any(op.op_type == "Mul" and op.line == 5 for op in trace.ops.values())


def test_megabytes_of_output_are_kept_whole(tmp_path: Path) -> None:
    scenario = write(
        tmp_path,
        "chatty.py",
        TAPE + "for i in range(20000):\n"
        "    print('step', i, 'loss', 0.5)\n"
        "print('x' * 2_000_000)\n"
        "print(tape.gradient(y, x))\n",
    )
    out = tmp_path / "t.json"
    result = tapetui("record", str(scenario), "-o", str(out), timeout=300)
    assert result.returncode == 0, result.stderr
    stdout = load(out).output("stdout")
    lines = stdout.splitlines()
    assert lines[0] == "step 0 loss 0.5" and lines[19999] == "step 19999 loss 0.5"
    assert lines[20000] == "x" * 2_000_000
    assert lines[20001] == "tf.Tensor(6.0, shape=(), dtype=float32)"


# --- NaN and Inf ------------------------------------------------------------------------------------

NONFINITE = (
    "import tensorflow as tf\n"
    "x = tf.Variable([0.0, 1.0, -1.0])\n"
    "with tf.GradientTape() as tape:\n"
    "    y = tf.reduce_sum(tf.math.log(x) + tf.sqrt(x))\n"
    "g = tape.gradient(y, x)\n"
)


def test_nan_and_inf_gradients_are_flagged_in_the_report(tmp_path: Path) -> None:
    scenario = write(tmp_path, "nonfinite.py", NONFINITE)
    text = tapetui("report", str(scenario))
    assert text.returncode == 0
    assert (
        "  ! dy/dx = [inf, 1.5, nan]\n    warning: 1 nan and 1 inf in this gradient" in text.stdout
    )
    report = json.loads(tapetui("report", str(scenario), "--json").stdout)
    (result,) = report["gradient_calls"][0]["results"]
    assert result["value"] == ["inf", 1.5, "nan"]
    nonfinite = result["nonfinite"]
    assert (nonfinite["nan"], nonfinite["inf"]) == (1, 1)
    assert (nonfinite["cause"], nonfinite["op"], nonfinite["line"]) == ("nan_in_forward", "Log", 4)


# --- traces ---------------------------------------------------------------------------------------


def _a_trace(tmp_path: Path) -> Path:
    scenario = write(tmp_path, "ok.py", TAPE + "print(tape.gradient(y, x))\n")
    out = tmp_path / "ok.json"
    assert tapetui("record", str(scenario), "-o", str(out)).returncode == 0
    return out


def test_traces_that_are_cut_newer_or_extended(tmp_path: Path) -> None:
    good = _a_trace(tmp_path)
    text = good.read_text()

    cut = write(tmp_path, "cut.json", text[: len(text) // 2])
    result = tapetui("report", str(cut))
    assert result.returncode == 2
    assert str(cut) in one_sentence(result.stderr)

    data = json.loads(text)
    data["version"] = 99
    newer = write(tmp_path, "newer.json", json.dumps(data))
    result = tapetui("report", str(newer))
    assert result.returncode == 2
    assert "newer" in one_sentence(result.stderr)

    data = json.loads(text)
    data["added_by_a_later_tapetui"] = {"anything": [1, 2]}
    tensors = data["tensors"]  # a table: a column this version does not know
    tensors["fields"].append("precision_hint")
    tensors["columns"].append(["fp32"] * len(tensors["columns"][0]))
    data["events"]["tables"][0]["unknown_key"] = 1
    extended = write(tmp_path, "extended.json", json.dumps(data))
    result = tapetui("report", str(extended))
    assert result.returncode == 0, result.stderr
    assert "✓ dy/dx = 6.0" in result.stdout
