"""Every command-line argument is checked before anything starts: a bad one is one sentence on
stderr and exit code 2, never a traceback, and no recording child or debugger is started."""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tapetui.record.process as recording
import tapetui.ui as debugger
from tapetui.cli import main

from .command import one_sentence, tapetui

SCENARIO = "scenarios/basic.py"
TRACE = "tests/ui/traces/basic.json"
LONG = "a" * 5000
"""A path longer than any the system takes (ENAMETOOLONG)."""


class Started(Exception):
    """A recording child or the debugger was about to start."""


@pytest.fixture(autouse=True)
def nothing_starts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(Path(__file__).resolve().parent.parent)

    def started(*args: object, **kwargs: object) -> None:
        raise Started(args, kwargs)

    monkeypatch.setattr(recording, "record", started)
    monkeypatch.setattr(debugger, "run", started)


def refusal(*argv: str) -> str:
    """The one line ``tapetui ARGV`` writes to stderr; fails if it exits otherwise than 2."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(list(argv))
    assert code == 2, (argv, err.getvalue())
    return one_sentence(err.getvalue())


@contextlib.contextmanager
def starts() -> Iterator[None]:
    with pytest.raises(Started):
        yield


@pytest.fixture
def shot(tmp_path: Path) -> str:
    return str(tmp_path / "shot.svg")


# --- --press ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "wait", ["wait:abc", "wait:1:2", "wait:", "wait:-5", "wait:inf", "wait:nan"]
)
def test_a_bad_wait_in_press_is_refused(wait: str, shot: str) -> None:
    line = refusal(SCENARIO, "--screenshot", shot, "--press", f"n,{wait}")
    assert repr(wait) in line and "wait:MS" in line


def test_an_unknown_key_in_press_is_named(shot: str) -> None:
    line = refusal(SCENARIO, "--screenshot", shot, "--press", "n,qwerty,b")
    assert "'qwerty' is not a key name" in line


@pytest.mark.parametrize("key", ["ctrl+", "ctrl+ctrl+a", "hyper+nothing", "\x1b[2J"])
def test_malformed_keys_are_refused(key: str, shot: str) -> None:
    line = refusal(SCENARIO, "--screenshot", shot, "--press", key)
    assert "\x1b" not in line


def test_press_without_a_screenshot_is_refused() -> None:
    assert "--screenshot" in refusal(SCENARIO, "--press", "n")


def test_good_keys_and_waits_start_the_debugger(shot: str) -> None:
    keys = "n,G,ctrl+p,question_mark,escape,enter,shift+tab,comma,left_square_bracket,wait:250"
    with starts():
        main([SCENARIO, "--screenshot", shot, "--press", keys, "--seed", str(2**32 - 1)])


# --- --screenshot and other paths -----------------------------------------------------------------


def test_a_screenshot_into_a_folder_is_refused(tmp_path: Path) -> None:
    assert "is a folder" in refusal(SCENARIO, "--screenshot", str(tmp_path))


def test_a_screenshot_in_a_missing_folder_is_refused(tmp_path: Path) -> None:
    line = refusal(SCENARIO, "--screenshot", str(tmp_path / "missing" / "x.svg"))
    assert "does not exist" in line


def test_a_screenshot_inside_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    line = refusal(SCENARIO, "--screenshot", str(tmp_path / "file" / "x.svg"))
    assert line.endswith(f"{tmp_path / 'file'} is not a folder")


def _unwritable(tmp_path: Path) -> Path:
    if os.geteuid() == 0:  # root writes anywhere a mode allows nothing; /proc takes no new files
        return Path("/proc/tapetui-shot.svg")
    folder = tmp_path / "locked"
    folder.mkdir(mode=0o500)
    return folder / "shot.svg"


def test_an_unwritable_screenshot_is_refused_and_nothing_is_left(tmp_path: Path) -> None:
    out = _unwritable(tmp_path)
    assert f"cannot write {out}" in refusal(SCENARIO, "--screenshot", str(out))
    assert not out.exists()


def test_checking_a_screenshot_path_leaves_no_file(shot: str) -> None:
    with starts():
        main([SCENARIO, "--screenshot", shot])
    assert not Path(shot).exists()


@pytest.mark.parametrize(
    "argv",
    [
        [f"{LONG}.py"],
        [f"{LONG}.json"],
        [SCENARIO, "--screenshot", f"{LONG}.svg"],
        [SCENARIO, "--screenshot", f"/tmp/{'b' * 300}.svg"],
        ["record", f"{LONG}.py", "-o", "t.json"],
        ["record", SCENARIO, "-o", f"{LONG}.json"],
        ["report", f"{LONG}.py"],
        ["report", f"{LONG}.json", "--json"],
    ],
)
def test_overlong_paths_are_refused_in_one_short_sentence(argv: list[str]) -> None:
    line = refusal(*argv)
    assert "too long" in line and len(line) < 300


def test_record_into_a_folder_is_refused(tmp_path: Path) -> None:
    assert "is a folder" in refusal("record", SCENARIO, "-o", str(tmp_path))


# --- --size, --seed, --timeout, the budget, unknown options ------------------------------------


@pytest.mark.parametrize(
    "size",
    ["huge", "120", "120x", "x40", "0x0", "10x5", "120x40x3", "-120x40", "1e3x40", "99999x40"],
)
def test_size_nonsense_is_refused(size: str, shot: str) -> None:
    assert "--size" in refusal(SCENARIO, "--screenshot", shot, "--size", size)


@pytest.mark.parametrize(
    "seed", ["-1", str(2**32), "abc", "1.5", pytest.param("9" * 5000, id="5000-digits")]
)
@pytest.mark.parametrize("command", [[], ["report"], ["record"]])
def test_a_seed_out_of_range_is_refused_before_any_child(command: list[str], seed: str) -> None:
    rest = ["-o", "t.json"] if command == ["record"] else []
    line = refusal(*command, SCENARIO, *rest, "--seed", seed)
    assert "--seed" in line and "0 to 4294967295" in line


@pytest.mark.parametrize("seconds", ["-1", "0", "nan", "inf", "abc"])
def test_a_timeout_that_is_no_time_is_refused(seconds: str) -> None:
    assert "--timeout" in refusal("report", SCENARIO, "--timeout", seconds)


@pytest.mark.parametrize("argv", [["--budget-tapes", "-1"], ["--budget-ops", "many"], ["--bogus"]])
def test_bad_budgets_and_unknown_options_are_refused(argv: list[str]) -> None:
    refusal("report", SCENARIO, *argv)


# --- many combinations ----------------------------------------------------------------------------

GOOD = {
    "--seed": ["0", "7", str(2**32 - 1)],
    "--size": ["80x24", "120x40"],
    "--press": ["n", "n,b,g", "ctrl+p,escape", "wait:10,question_mark"],
}
BAD = {
    "--seed": ["-1", str(2**32), "x", "", "1e3", "-0x1"],
    "--size": ["", "x", "1x1", "20x", "50000x50000", "ab", "3x4x5"],
    "--press": ["wait:abc", "wait:1:2", "wait:-1", "nokey", "ctrl+", "n,,zzz", "wait:1e400"],
    "--screenshot": ["/", "/nonexistent-folder/x.svg", f"{LONG}.svg"],
    "--budget-ops": ["-5", "lots"],
}


@st.composite
def bad_arguments(draw: st.DrawFn) -> list[str]:
    """The debugger's arguments with at least one option bad, in any order."""
    bad = draw(st.sampled_from(sorted(BAD)))
    options = {bad: draw(st.sampled_from(BAD[bad]))}
    for name in draw(st.lists(st.sampled_from(sorted(GOOD)), unique=True)):
        if name != bad:
            options[name] = draw(st.sampled_from(GOOD[name]))
    if "--screenshot" not in options:
        options["--screenshot"] = "/tmp/tapetui-arguments-test.svg"
    pairs = draw(st.permutations(sorted(options.items())))
    path = draw(st.sampled_from([SCENARIO, TRACE, "scenarios"]))
    return [path, *(item for name, value in pairs for item in (name, value))]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bad_arguments())
def test_any_combination_with_a_bad_argument_is_one_sentence_and_exit_2(argv: list[str]) -> None:
    line = refusal(*argv)
    assert line.startswith("tapetui: ")


# --- the real command ---------------------------------------------------------------------------


def test_the_real_command_refuses_a_negative_seed_at_once() -> None:
    result = tapetui(SCENARIO, "--seed", "-1", timeout=30)
    assert result.returncode == 2
    assert "--seed" in one_sentence(result.stderr)


def test_the_real_command_names_an_unknown_key(tmp_path: Path) -> None:
    result = tapetui(SCENARIO, "--screenshot", str(tmp_path / "x.svg"), "--press", "n,nokey")
    assert result.returncode == 2
    assert "'nokey'" in one_sentence(result.stderr)
    assert not (tmp_path / "x.svg").exists()
