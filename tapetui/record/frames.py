"""Which Python frames belong to the scenario, and how its files are named in the trace."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from types import FrameType

# tapetui's own folder (not ``tapetui.__file__``: an editable install may make it a namespace).
_TAPETUI_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
_LIBRARY_MARKERS = (f"{os.sep}site-packages{os.sep}", f"{os.sep}dist-packages{os.sep}")


class ScenarioFiles:
    """The scenario's folder: its files are the scenario's own code, named as the user named it."""

    def __init__(self, main: str | Path, shown_as: str | None = None) -> None:
        self.main = os.path.abspath(main)
        self.folder = os.path.dirname(self.main) + os.sep
        self.shown_folder = os.path.dirname(shown_as if shown_as is not None else str(main))
        self._names: dict[str, str | None] = {self.main: shown_as or str(main)}
        self.new_files: list[str] = []
        """Scenario files seen for the first time, waiting for their source to be recorded."""

    def name(self, filename: str) -> str | None:
        """The trace name of a code file, or ``None`` when it is not the scenario's."""
        try:
            return self._names[filename]
        except KeyError:
            pass
        path = os.path.abspath(filename)
        if path in self._names:
            self._names[filename] = self._names[path]
            return self._names[path]
        shown = None
        if (
            path.startswith(self.folder)
            and not path.startswith(_TAPETUI_DIR)
            and not any(m in path for m in _LIBRARY_MARKERS)
            and os.path.isfile(path)
        ):
            shown = os.path.join(self.shown_folder, os.path.relpath(path, self.folder))
            self.new_files.append(path)
        self._names[filename] = shown
        return shown

    def innermost(
        self, frame: FrameType | None
    ) -> tuple[FrameType | None, str | None, FrameType | None]:
        """The innermost scenario frame at or above ``frame``, its trace file name, and the
        frame it called (``None`` when that is ``frame`` itself)."""
        names = self._names
        child = None
        while frame is not None:
            filename = frame.f_code.co_filename
            name = names[filename] if filename in names else self.name(filename)
            if name is not None:
                return frame, name, child
            child, frame = frame, frame.f_back
        return None, None, None

    def place(self, frame: FrameType | None) -> tuple[tuple[str, int], ...]:
        """Where the scenario is at ``frame``: the file and line of each of its frames on the
        stack, innermost first. The same in every step of a loop; different for a helper
        called from two lines."""
        names = self._names
        lines = []
        while frame is not None:
            filename = frame.f_code.co_filename
            name = names[filename] if filename in names else self.name(filename)
            if name is not None:
                lines.append((name, frame.f_lineno))
            frame = frame.f_back
        return tuple(lines)

    def caller_is_scenario(self, frame: FrameType | None, skip: tuple[str, ...] = ()) -> bool:
        """True when the nearest frame outside ``skip`` folders (e.g. numpy) is the scenario's."""
        while frame is not None and any(s in frame.f_code.co_filename for s in skip):
            frame = frame.f_back
        return frame is not None and self.name(frame.f_code.co_filename) is not None


def here(depth: int = 1) -> FrameType:
    """The caller's frame, ``depth`` levels up (cheap, unlike ``inspect.stack()``)."""
    return sys._getframe(depth + 1)
