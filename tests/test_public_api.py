"""The public API for notebooks and tests (``import tapetui``): the README's example runs as
written, a recorded trace reports, lists its missing gradients with their causes, explains them
and saves, and importing ``tapetui`` stays light."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import tapetui
from tapetui.cli import main
from tapetui.explain import MissingGradient
from tapetui.trace.jsonio import trace_to_dict

from .command import REPO

NONE_CASES = REPO / "tests" / "ui" / "traces" / "none_cases.json"
PERSISTENT = REPO / "tests" / "ui" / "traces" / "persistent.json"


def readme_example() -> str:
    """The first Python block of the README's "From Python" section."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("### From Python: notebooks and tests", 1)[1]
    found = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert found is not None, "the README's From Python section has no python block"
    return found.group(1)


@pytest.fixture(scope="module")
def readme_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    folder = tmp_path_factory.mktemp("readme")
    (folder / "example.py").write_text(readme_example(), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "example.py"],
        cwd=folder,
        env={**os.environ, "PYTHONPATH": str(REPO), "TF_CPP_MIN_LOG_LEVEL": "2"},
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return folder, done.stdout


def test_the_readme_example_finds_the_none_and_its_cause(readme_run: tuple[Path, str]) -> None:
    _, stdout = readme_run
    assert stdout.startswith("dy/dx = None · line 10 · cause outside_tape\n")
    assert "  line 7: y = x * x  # computed before the tape: not recorded\n" in stdout


def test_the_readme_example_prints_the_report(readme_run: tuple[Path, str]) -> None:
    _, stdout = readme_run
    assert "gradient call 1 · line 10 · tape 1 · gradient(y, …)\n  ✗ dy/dx = None\n" in stdout
    assert "    cause [outside_tape] `y = x * x` (line 7) ran before `tape`" in stdout


def test_the_trace_the_readme_example_saved_opens_with_its_cause(
    readme_run: tuple[Path, str],
) -> None:
    folder, _ = readme_run
    trace = tapetui.load(folder / "trace.json")
    [missing] = trace.missing_gradients()
    assert (missing.name, missing.cause, missing.line) == ("dy/dx", "outside_tape", 10)
    assert missing.evidence_lines == [6, 7, 8, 10]
    assert trace.sources[str(folder / "example.py")] == readme_example()


def test_missing_gradients_are_the_nones_with_their_causes() -> None:
    trace = tapetui.load(NONE_CASES)
    assert trace.missing_gradients() == [
        MissingGradient(
            call=1,
            file="scenarios/none_cases.py",
            line=17,
            target="y1",
            source="x",
            cause="outside_tape",
            sentence="`y1 = x * x` (line 12) ran before `tape` started recording at line 14.",
            fix="Move it inside the `with` block of `tape` (line 14).",
            evidence_lines=[11, 12, 14, 17],
        )
    ]


def test_a_trace_with_every_gradient_has_no_missing_gradients() -> None:
    trace = tapetui.load(PERSISTENT)
    assert trace.missing_gradients() == []
    assert tapetui.explain(trace) == "no gradient is None (2 gradient calls)\n"


def test_report_is_what_tapetui_report_prints(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", str(NONE_CASES)]) == 0
    printed = capsys.readouterr().out
    report = tapetui.load(NONE_CASES).report()
    assert report == printed
    assert "  ✓ dy2/dx = 1.0\n" in report


def test_explain_quotes_the_evidence_lines() -> None:
    text = tapetui.explain(tapetui.load(NONE_CASES))
    assert text.splitlines()[:3] == [
        "dy1/dx = None · line 17 · cause outside_tape",
        "  `y1 = x * x` (line 12) ran before `tape` started recording at line 14.",
        "  fix: Move it inside the `with` block of `tape` (line 14).",
    ]
    assert "  line 12: y1 = x * x  # computed outside the tape: not recorded" in text


def test_explain_is_callable_however_the_package_was_imported() -> None:
    import tapetui.explain as package
    from tapetui.report import render_text  # imports tapetui.explain too

    assert render_text is not None
    assert tapetui.explain is package
    assert tapetui.explain(tapetui.load(NONE_CASES)).startswith("dy1/dx = None")


def test_save_and_load_give_the_same_trace(tmp_path: Path) -> None:
    trace = tapetui.load(NONE_CASES)
    trace.save(tmp_path / "again.json")
    again = tapetui.load(tmp_path / "again.json")
    assert trace_to_dict(again) == trace_to_dict(trace)
    assert again.missing_gradients() == trace.missing_gradients()
    assert (
        json.loads((tmp_path / "again.json").read_text())["scenario"] == "scenarios/none_cases.py"
    )


def test_record_scenario_records_in_a_child_process() -> None:
    cwd = os.getcwd()
    os.chdir(REPO)
    try:
        trace = tapetui.record_scenario("scenarios/none_cases.py", timeout=300)
    finally:
        os.chdir(cwd)
    assert [(m.name, m.cause) for m in trace.missing_gradients()] == [("dy1/dx", "outside_tape")]
    assert trace.status == "finished" and trace.output("stdout").startswith("None\n")


def test_import_tapetui_loads_neither_tensorflow_nor_textual() -> None:
    code = (
        "import sys, tapetui\n"
        "tapetui.load, tapetui.recording, tapetui.explain, tapetui.RecordedTrace\n"
        "print(' '.join(sorted(sys.modules)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        check=True,
    )
    loaded = set(done.stdout.split())
    assert "tensorflow" not in loaded and "textual" not in loaded
    assert "tapetui.explain" in loaded


IPYTHON_SESSION = """\
from IPython.core.interactiveshell import InteractiveShell

shell = InteractiveShell.instance()
shell.run_cell("import tensorflow as tf\\nimport tapetui")
shell.run_cell('''with tapetui.recording() as trace:
    x = tf.Variable(3.0)
    y = x * x
    with tf.GradientTape() as tape:
        z = 2 * x
    g = tape.gradient(y, x)
''')
shell.run_cell("print(tapetui.explain(trace))")
shell.run_cell("trace.report()")
"""


def test_in_an_ipython_cell_the_cells_own_lines_are_quoted(tmp_path: Path) -> None:
    pytest.importorskip("IPython")
    done = subprocess.run(
        [sys.executable, "-c", IPYTHON_SESSION],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(REPO), "TF_CPP_MIN_LOG_LEVEL": "2"},
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=300,
    )
    assert done.stdout.startswith(
        "dy/dx = None · line 6 · cause outside_tape\n"
        "  `y = x * x` (line 3) ran before `tape` started recording at line 4.\n"
    ), done.stdout + done.stderr
    assert "  line 3: y = x * x\n" in done.stdout
    # a cell ending with trace.report() shows the report as text, not as a quoted string
    assert "\nscenario <ipython-input-" in done.stdout and "\\n" not in done.stdout
