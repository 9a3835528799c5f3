"""An unsupported TensorFlow is one sentence at start-up and exit code 2, never a traceback.

The TensorFlow the commands see is set with a package record (``tensorflow-X.Y.Z.dist-info``)
put first on the child's path, as pip would leave it: the check reads the installed version
without importing TensorFlow.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tapetui.record.tf_support import SUPPORTED_TF, is_supported, supported_range

from .conftest import ROOT


def _with_tensorflow(tmp_path: Path, version: str) -> dict[str, str]:
    info = tmp_path / f"tensorflow-{version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: tensorflow\nVersion: {version}\n", encoding="utf-8"
    )
    path = os.pathsep.join([str(tmp_path), str(ROOT)])
    return {**os.environ, "PYTHONPATH": path, "TF_CPP_MIN_LOG_LEVEL": "2"}


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=120,
    )


SENTENCE = (
    "tapetui: TensorFlow 2.15.1 is not supported; tapetui supports TensorFlow 2.16 to 2.21 "
    "(pip install 'tensorflow>=2.16,<2.22').\n"
)


@pytest.mark.parametrize("command", ["report", "record"])
def test_an_unsupported_tensorflow_stops_the_command_with_one_sentence(
    tmp_path: Path, command: str
) -> None:
    env = _with_tensorflow(tmp_path, "2.15.1")
    args = ["-m", "tapetui", command, "scenarios/basic.py"]
    done = _run(args + (["-o", str(tmp_path / "t.json")] if command == "record" else []), env)
    assert (done.returncode, done.stderr, done.stdout) == (2, SENTENCE, "")
    assert not (tmp_path / "t.json").exists()


def test_the_recording_child_stops_with_the_same_sentence(tmp_path: Path) -> None:
    env = _with_tensorflow(tmp_path, "2.15.1")
    stream = tmp_path / "t.jsonl"
    done = _run(["-m", "tapetui.record", "scenarios/basic.py", "--stream", str(stream)], env)
    assert (done.returncode, done.stderr, done.stdout) == (2, SENTENCE, "")


def test_the_supported_range_is_2_16_to_2_21() -> None:
    assert SUPPORTED_TF == ((2, 16), (2, 22)) and supported_range() == "2.16 to 2.21"
    assert [is_supported(v) for v in ("2.15.1", "2.16.2", "2.21.0", "2.22.0rc0", "3.0")] == [
        False,
        True,
        True,
        False,
        False,
    ]
