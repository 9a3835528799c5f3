"""Finding scenarios to pick from: ``.py`` files and the first line of their docstring, via ``ast``.

Nothing is executed here; a file that does not parse is listed with a note instead.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ScenarioEntry:
    path: str
    """As the user named it (relative where they gave it relative)."""
    title: str
    """The docstring's first line, or a note why there is none."""


def title_of(path: Path) -> str:
    try:
        tree = ast.parse(path.read_bytes())  # honours a coding line, as Python does
    except (OSError, UnicodeDecodeError, ValueError):
        return "(cannot be read)"
    except SyntaxError as exc:
        return f"(syntax error on line {exc.lineno})"
    doc = ast.get_docstring(tree)
    return doc.strip().splitlines()[0] if doc and doc.strip() else ""


def discover(paths: list[str]) -> list[ScenarioEntry]:
    """Each ``.py`` file named, or found directly in a named directory, sorted per directory."""
    entries: list[ScenarioEntry] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            for child in sorted(path.glob("*.py")):
                if not child.name.startswith("_"):
                    entries.append(ScenarioEntry(str(child), title_of(child)))
        else:
            entries.append(ScenarioEntry(name, title_of(path)))
    return entries
