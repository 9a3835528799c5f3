"""The scenario picker lists the scenarios of a folder and of its subfolders, each folder's under
its name; nothing is run to list them."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from textual.widgets import OptionList

import tapetui.record.process
from tapetui.ui.app import TapeTuiApp
from tapetui.ui.scenarios import MAX_DEPTH, discover
from tapetui.ui.screens.debugger import DebuggerScreen
from tapetui.ui.screens.picker import PickerScreen

from .handmade import square_twice
from .hostile import TITLE, render

ROOT = Path(__file__).resolve().parents[2]


def _tree(root: Path, files: list[str]) -> None:
    for name in files:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f'"""The scenario {path.stem}."""\n', encoding="utf-8")


def test_the_scenarios_folder_lists_its_subfolders_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    paths = [entry.path for entry in discover(["scenarios"])]
    top = sorted(str(p) for p in Path("scenarios").glob("*") if p.suffix in (".py", ".ipynb"))
    folders = sorted(p for p in Path("scenarios").iterdir() if p.is_dir() and p.name[0] not in "._")
    below = [str(p) for folder in folders for p in sorted(folder.glob("*.py"))]
    assert paths == top + below
    assert "scenarios/tutorial.ipynb" in paths  # a notebook is listed beside the .py files
    assert "scenarios/none/stop_recording.py" in paths
    assert "scenarios/keras/fit.py" in paths


def test_hidden_and_private_files_and_folders_are_skipped(tmp_path: Path) -> None:
    _tree(
        tmp_path,
        ["a.py", "_private.py", ".hidden.py", "sub/b.py", "__pycache__/c.py", ".venv/d.py",
         "_build/e.py", "notes.txt", "nb.ipynb", ".ipynb_checkpoints/nb-checkpoint.ipynb"],
    )  # fmt: skip
    assert [Path(e.path).relative_to(tmp_path).as_posix() for e in discover([str(tmp_path)])] == [
        "a.py",
        "nb.ipynb",
        "sub/b.py",
    ]


def test_folders_deeper_than_the_limit_are_not_searched(tmp_path: Path) -> None:
    deep = "/".join(f"d{i}" for i in range(MAX_DEPTH + 1))
    _tree(tmp_path, ["a.py", f"{deep}/too_deep.py", f"{deep.rsplit('/', 1)[0]}/deep.py"])
    names = [Path(e.path).name for e in discover([str(tmp_path)])]
    assert names == ["a.py", "deep.py"]


def _options(app: TapeTuiApp) -> list[tuple[str, bool]]:
    options = app.screen.query_one("#scenarios", OptionList)
    return [
        (str(options.get_option_at_index(i).prompt).split("\n")[0], options.get_option_at_index(i).disabled)
        for i in range(options.option_count)
    ]  # fmt: skip


def test_the_picker_groups_scenarios_by_folder_and_opens_the_one_chosen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _tree(tmp_path, ["a.py", "b.py", "none/c.py", "none/deeper/d.py"])
    monkeypatch.setattr(tapetui.record.process, "record", lambda *_, **__: square_twice())

    async def flow() -> None:
        app = TapeTuiApp(scenarios=discover([str(tmp_path)]), warm=False)
        async with app.run_test(size=(100, 40)) as pilot:
            assert isinstance(app.screen, PickerScreen)
            assert _options(app) == [
                (f"{tmp_path}/", True),
                ("a.py", False),
                ("b.py", False),
                (f"{tmp_path}/none/", True),
                ("c.py", False),
                (f"{tmp_path}/none/deeper/", True),
                ("d.py", False),
            ]
            await pilot.press("down", "down", "enter")  # past b.py and none/'s heading: c.py
            screen = app.screen
            assert isinstance(screen, DebuggerScreen)
            assert screen.scenario == str(tmp_path / "none" / "c.py")

    asyncio.run(flow())


def test_one_folder_needs_no_heading(tmp_path: Path) -> None:
    _tree(tmp_path, ["a.py", "b.py"])

    async def flow() -> None:
        app = TapeTuiApp(scenarios=discover([str(tmp_path)]), warm=False)
        async with app.run_test(size=(100, 30)):
            assert _options(app) == [
                (str(tmp_path / "a.py"), False),
                (str(tmp_path / "b.py"), False),
            ]

    asyncio.run(flow())


def test_a_scenario_named_and_titled_with_markup_is_listed_literally(tmp_path: Path) -> None:
    name = tmp_path / "[red]x.py"
    name.write_text(f'"""[b]Title[/b] [@click=app.quit]q[/] {TITLE}"""\n', encoding="utf-8")
    (tmp_path / "b.py").write_text("x = 1\n", encoding="utf-8")

    async def flow() -> None:
        app = TapeTuiApp(scenarios=discover([str(tmp_path)]), warm=False)
        async with app.run_test(size=(120, 30)):
            text = render(app)[1]
            assert f"{name}" in text
            assert "[b]Title[/b] [@click=app.quit]q[/] ␛]0;pwned␇" in text

    asyncio.run(flow())
