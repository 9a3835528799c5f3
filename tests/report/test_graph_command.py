"""``tapetui graph`` runs a scenario as ``record`` does: ``-m MODULE``, ``-- ARGS``, and exit 1
for a scenario that raised, after the graph of what it recorded is written."""

from __future__ import annotations

from pathlib import Path

import pytest

from tapetui.cli import main

SCENARIO = """\
import sys

import tensorflow as tf

x = tf.Variable(float(sys.argv[1]), name="x")
with tf.GradientTape() as tape:
    y = x * x
print(tape.gradient(y, x))
if sys.argv[2:] == ["raise"]:
    raise RuntimeError("the scenario failed after its gradient call")
"""


def test_a_module_with_arguments_that_raised_is_drawn_and_exits_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "square.py").write_text(SCENARIO, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "g.dot"
    code = main(["graph", "-m", "square", "-o", str(out), "--timeout", "300", "--", "3", "raise"])
    err = capsys.readouterr().err
    assert code == 1
    dot = out.read_text(encoding="utf-8")
    assert "= 9.0" in dot  # x = 3 from the arguments: y = x*x = 9
    assert "∂ 6.0" in dot  # dy/dx = 2x
    assert "RuntimeError" in err
    assert f"wrote {out}" in err


@pytest.mark.parametrize(
    ("argv", "sentence"),
    [
        (["a.py", "-m", "a"], "give either -m MODULE or a scenario path, not both"),
        (["t.json", "--", "x"], "a trace is never run, so it takes no arguments after --"),
        (["--", "x"], "the arguments after -- are for a scenario: name one before --"),
        (["-m", "nowhere"], "no module named nowhere"),
    ],
)
def test_bad_targets_are_one_sentence_and_exit_2(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    sentence: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    code = main(["graph", "-o", "g.dot", *argv])
    err = capsys.readouterr().err
    assert code == 2
    assert sentence in err
    assert len(err.strip().splitlines()) == 1
