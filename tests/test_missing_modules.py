"""A scenario that imports a module that is not installed: `report` names it and how to get it."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _report(tmp_path: Path, source: str, *extra: str) -> subprocess.CompletedProcess[str]:
    scenario = tmp_path / "imports.py"
    scenario.write_text(source, encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "tapetui", "report", str(scenario), *extra],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "2"},
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=180,
    )


def test_a_missing_module_is_named_with_its_pip_command(tmp_path: Path) -> None:
    done = _report(tmp_path, "import math\nimport tapetui_no_such_module.pyplot as plt\n")
    assert done.returncode == 1
    assert (
        "  cause [missing_module] No module named 'tapetui_no_such_module' at line 2: "
        "install it with pip install tapetui_no_such_module.\n" in done.stdout
    )


def test_torch_says_tapetui_debugs_tensorflow(tmp_path: Path) -> None:
    if importlib.util.find_spec("torch") is not None:
        pytest.skip("PyTorch is installed here")
    done = _report(tmp_path, "import tensorflow as tf\nimport torch\n", "--json")
    error = json.loads(done.stdout)["error"]
    assert error["type"] == "ModuleNotFoundError"
    assert error["cause"] == "missing_module"
    assert error["explanation"] == (
        "No module named 'torch' at line 2: the scenario uses PyTorch; tapetui debugs "
        "TensorFlow's GradientTape; PyTorch code is not recorded."
    )
    assert error["evidence_lines"] == [2]


def test_a_missing_submodule_of_an_installed_package_is_not_a_pip_install(
    tmp_path: Path,
) -> None:
    done = _report(tmp_path, "import json.no_such_part\n")
    expected = "No module named 'json.no_such_part' at line 1: `json` is installed but has no "
    assert expected + "module `no_such_part`." in done.stdout
    assert "pip install" not in done.stdout


def test_an_error_that_names_a_module_in_its_text_is_not_missing_module(tmp_path: Path) -> None:
    done = _report(tmp_path, "raise ImportError(\"No module named 'torch'\")\n")
    assert "missing_module" not in done.stdout
