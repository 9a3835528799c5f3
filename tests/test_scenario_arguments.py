"""``tapetui SCRIPT -- ARGS`` and ``-m MODULE -- ARGS`` run the scenario as ``python`` would:
the arguments after ``--`` are its ``sys.argv[1:]``, a module runs as ``__main__`` with the
current folder on ``sys.path``; what ran is kept in the trace and said by the report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tapetui.scenario.target import TargetError, module_file
from tapetui.trace import load

from .command import one_sentence, tapetui

PRINTS_ARGV = (
    "import json, sys\n"
    "import tensorflow as tf\n"
    "print(json.dumps(sys.argv))\n"
    "x = tf.Variable(2.0)\n"
    "with tf.GradientTape() as tape:\n"
    "    y = x * x * float(sys.argv[2])\n"
    "print(tape.gradient(y, x).numpy())\n"
)
ARGS = ["--epochs", "3", "--lr", "0.1", "--", "", "two words", "-m"]


def _argv(stdout: str) -> list[str]:
    return list(json.loads(stdout.splitlines()[0]))


def test_the_arguments_after_dashes_are_the_scripts_argv(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text(PRINTS_ARGV)
    done = tapetui("report", "train.py", "--json", "--", *ARGS, cwd=tmp_path, timeout=300)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    argv = _argv(report["stdout"])
    assert argv[1:] == ARGS  # exactly the list, a second "--" and an empty string included
    assert Path(argv[0]).name == "train.py"
    assert report["stdout"].splitlines()[1] == "12.0"  # d(3·x²)/dx at x = 2: it used argv[2]
    assert report["argv"] == ARGS


def test_record_keeps_the_arguments_in_the_trace_and_report_says_how_it_ran(
    tmp_path: Path,
) -> None:
    (tmp_path / "train.py").write_text(PRINTS_ARGV)
    done = tapetui(
        "record", "train.py", "-o", "t.json", "--", "--k", "5", cwd=tmp_path, timeout=300
    )
    assert done.returncode == 0, done.stderr
    trace = load(tmp_path / "t.json")
    assert trace.meta["argv"] == ["--k", "5"]
    assert _argv(trace.output("stdout"))[1:] == ["--k", "5"]
    text = tapetui("report", "t.json", cwd=tmp_path).stdout
    assert "ran as python train.py --k 5" in text


def test_dash_m_runs_a_module_of_a_package_in_the_current_folder(tmp_path: Path) -> None:
    package = tmp_path / "mypkg"
    package.mkdir()
    (package / "__init__.py").write_text("STARTED = 'package imported first'\n")
    (package / "helper.py").write_text("FACTOR = 3.0\n")
    (package / "train.py").write_text(
        "import json, sys\n"
        "import tensorflow as tf\n"
        "from mypkg import STARTED\n"
        "from .helper import FACTOR\n"
        "print(json.dumps([__name__, __package__, sys.argv, sys.path[0], STARTED]))\n"
        "x = tf.Variable(1.0)\n"
        "with tf.GradientTape() as tape:\n"
        "    y = x * FACTOR\n"
        "print(tape.gradient(y, x).numpy())\n"
    )
    done = tapetui(
        "report", "-m", "mypkg.train", "--json", "--", "--epochs", "3", cwd=tmp_path, timeout=300
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    name, package_name, argv, first_path, started = json.loads(report["stdout"].splitlines()[0])
    assert (name, package_name, started) == ("__main__", "mypkg", "package imported first")
    assert Path(argv[0]) == (package / "train.py").resolve() and argv[1:] == ["--epochs", "3"]
    assert Path(first_path).resolve() == tmp_path.resolve()  # the current folder, as python -m
    assert report["stdout"].splitlines()[1] == "3.0"
    assert report["module"] == "mypkg.train"
    assert report["scenario"] == "mypkg/train.py"
    assert report["gradient_calls"][0]["line"] == 9


def test_dash_m_runs_a_packages_main(tmp_path: Path) -> None:
    package = tmp_path / "tool"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "__main__.py").write_text("import sys\nprint('main of tool', sys.argv[1:])\n")
    done = tapetui("record", "-m", "tool", "-o", "t.json", "--", "a", cwd=tmp_path, timeout=300)
    assert done.returncode == 0, done.stderr
    trace = load(tmp_path / "t.json")
    assert trace.output("stdout") == "main of tool ['a']\n"
    assert trace.meta["module"] == "tool" and trace.scenario == "tool/__main__.py"


@pytest.mark.parametrize(
    ("args", "sentence"),
    [
        (["-m", "nowhere.train"], "no module named nowhere (looked in the current folder"),
        (["-m", "pkg.missing"], "no module named pkg.missing (looked in the current folder"),
        (["-m", "pkg"], "pkg is a package with no __main__.py, so python -m cannot run it"),
        (["-m", "mod.sub"], "mod is a module, not a package"),
        (["-m", "not a name"], "is not a module name"),
        (["--", "--epochs", "3"], "the arguments after -- are for a scenario: name one before --"),
        (["mod.py", "-m", "mod"], "give either -m MODULE or a scenario path, not both"),
        (["t.json", "--", "x"], "a trace is never run, so it takes no arguments after --"),
    ],
)
@pytest.mark.parametrize("command", [[], ["report"], ["record", "-o", "out.json"]])
def test_bad_module_or_arguments_are_one_sentence_and_exit_2(
    tmp_path: Path, command: list[str], args: list[str], sentence: str
) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("raise SystemExit('never imported')\n")
    (tmp_path / "mod.py").write_text("print('never run')\n")
    (tmp_path / "t.json").write_text("{}")
    at = args.index("--") if "--" in args else len(args)
    result = tapetui(*command[:1], *args[:at], *command[1:], *args[at:], cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert sentence in one_sentence(result.stderr)
    assert not (tmp_path / "out.json").exists()


def test_finding_a_module_imports_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "loud").mkdir()
    (tmp_path / "loud" / "__init__.py").write_text("raise RuntimeError('imported!')\n")
    (tmp_path / "loud" / "run.py").write_text("")
    assert module_file("loud.run") == "loud/run.py"
    with pytest.raises(TargetError):
        module_file("loud.absent")
