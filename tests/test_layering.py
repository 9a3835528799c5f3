"""The layers of DESIGN.md: TensorFlow loads only in the recorder, Textual only in the UI."""

from __future__ import annotations

import subprocess
import sys

import pytest


def _loaded_after_import(module: str) -> set[str]:
    code = f"import sys, {module}; print(' '.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(out.stdout.split())


@pytest.mark.parametrize(
    "module",
    [
        "tapetui.trace",
        "tapetui.explain",
        "tapetui.ui",
        "tapetui.report",
        "tapetui.cli",
        "tapetui.record",
        "tapetui.record.process",
    ],
)
def test_module_imports_without_tensorflow(module: str) -> None:
    assert "tensorflow" not in _loaded_after_import(module)


@pytest.mark.parametrize("module", ["tapetui.trace", "tapetui.explain", "tapetui.record"])
def test_engine_imports_without_textual(module: str) -> None:
    assert "textual" not in _loaded_after_import(module)
