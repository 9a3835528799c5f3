"""Finding scenarios to pick from: ``.py`` files and notebooks (``.ipynb``), each with the first
line of its docstring (via ``ast``; a notebook's title, via ``nbformat``).

A folder is searched with its subfolders (``scenarios/none/``), each folder's files together.
Nothing is executed here; a file that does not parse is listed with a note instead.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from tapetui.scenario.notebook import is_notebook, notebook_title

SUFFIXES = (".py", ".ipynb")
"""What a scenario file's name ends with: a Python file or a notebook."""
MAX_DEPTH = 3
"""How many levels of subfolders below a named folder are searched."""


@dataclass(frozen=True)
class ScenarioEntry:
    path: str
    """As the user named it (relative where they gave it relative)."""
    title: str
    """The docstring's first line, or a note why there is none."""

    @property
    def folder(self) -> str:
        """The folder it is in, as the user would name it (``scenarios/none``; ``.`` for here)."""
        return str(Path(self.path).parent)


def title_of(path: Path) -> str:
    if is_notebook(path):
        return notebook_title(path)
    try:
        tree = ast.parse(path.read_bytes())  # honours a coding line, as Python does
    except (OSError, UnicodeDecodeError, ValueError):
        return "(cannot be read)"
    except SyntaxError as exc:
        return f"(syntax error on line {exc.lineno})"
    doc = ast.get_docstring(tree)
    return doc.strip().splitlines()[0] if doc and doc.strip() else ""


def _hidden(path: Path) -> bool:
    """``_private.py``, ``__pycache__``, ``.venv``: not scenarios, nor folders of them."""
    return path.name.startswith(("_", "."))


def scenario_files(folder: Path, depth: int = MAX_DEPTH) -> list[Path]:
    """The ``.py`` files and notebooks in ``folder`` (sorted by name), then those of each
    subfolder, folder by folder (``.ipynb_checkpoints`` is hidden, as every dot-folder)."""
    try:
        children = sorted(folder.iterdir())
    except OSError:
        return []
    files = [c for c in children if c.suffix in SUFFIXES and c.is_file() and not _hidden(c)]
    if depth > 0:
        for sub in children:
            if sub.is_dir() and not sub.is_symlink() and not _hidden(sub):
                files += scenario_files(sub, depth - 1)
    return files


def discover(paths: list[str]) -> list[ScenarioEntry]:
    """Each file named, and the scenarios found in a named folder and its subfolders."""
    entries: list[ScenarioEntry] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            entries += [
                ScenarioEntry(str(child), title_of(child)) for child in scenario_files(path)
            ]
        else:
            entries.append(ScenarioEntry(name, title_of(path)))
    return entries


def folders(entries: list[ScenarioEntry]) -> list[tuple[str, list[int]]]:
    """The entries' folders in the order first met, each with the indices of its entries."""
    grouped: dict[str, list[int]] = {}
    for index, entry in enumerate(entries):
        grouped.setdefault(entry.folder, []).append(index)
    return list(grouped.items())
