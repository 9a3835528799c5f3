"""``--watch``: record the scenario again each time it, or a file of its folder it imported, is
saved; keep the cursor on the same line's step and say what changed in the gradients.

Mixed into :class:`~tapetui.ui.screens.debugger.DebuggerScreen`. The files are watched with
``watchfiles`` in a thread worker that posts :class:`FilesSaved`; the comparing is plain Python in
:mod:`tapetui.ui.rerecord`.
"""

from __future__ import annotations

import ast
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from textual.message import Message

from tapetui.trace import Trace
from tapetui.ui.rerecord import Place, changes_sentence, find_place, place_of
from tapetui.ui.status import status_text

if TYPE_CHECKING:
    from textual.screen import Screen

    from tapetui.ui.steps import Stepper

    _Screen = Screen[None]
    """What the mixin is mixed into, for the type checker; a plain class at run time."""
else:
    _Screen = object


@dataclass(frozen=True)
class SaveWatch:
    """How ``--watch`` waits: a save is acted on once the files were quiet for ``quiet_ms``
    (an editor writes, renames and touches a file in one save), at most ``debounce_ms`` after
    the first change."""

    debounce_ms: int = 1600
    quiet_ms: int = 100


def watched_files(scenario: str, trace: Trace | None) -> set[Path]:
    """The scenario and the ``.py`` files of its folder (and subfolders) that it imported: each
    file whose code ran (``trace.sources``) and each module of the folder those files import,
    found by reading their ``import`` lines (a helper that runs no TensorFlow has no source in
    the trace); before there is a trace, every ``.py`` file of the folder."""
    main = Path(scenario).resolve()
    folder = main.parent
    if trace is None:
        return {main, *(p.resolve() for p in folder.glob("*.py"))}
    texts = {Path(name).resolve(): text for name, text in trace.sources.items()}
    ran = {f for f in texts if f.suffix in (".py", ".ipynb") and f.is_relative_to(folder)}
    found = imported_files(folder, {main, *ran}, texts)
    return {main, *(f for f in ran | found if f.suffix == ".py")}


MOST_IMPORTS_READ = 500
"""Files whose imports are read, at most (a large project's folder is never walked whole)."""


def imported_files(folder: Path, start: set[Path], texts: dict[Path, str]) -> set[Path]:
    """The ``.py`` files of ``folder`` that ``start`` imports, and those they import in turn;
    a file's text is ``texts``' (a notebook's recorded Python) or else read from disk."""
    seen, todo = set(start), list(start)
    while todo and len(seen) < MOST_IMPORTS_READ:
        path = todo.pop()
        text = texts.get(path)
        if text is None:
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
        for found in _imports(folder, path, text) - seen:
            seen.add(found)
            todo.append(found)
    return seen - start


def _imports(folder: Path, path: Path, text: str) -> set[Path]:
    """The files of ``folder`` that ``path``'s import statements name (never run)."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return set()
    names: list[tuple[Path, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [(folder, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = folder if node.level == 0 else path.parents[node.level - 1]
            module = node.module or ""
            names.append((base, module))
            names += [(base, f"{module}.{a.name}".strip(".")) for a in node.names]
    return {f for base, name in names if name for f in _module_files(folder, base, name)}


def _module_files(folder: Path, base: Path, name: str) -> list[Path]:
    """The files that importing ``name`` from ``base`` runs: each package's ``__init__.py`` on
    the way, and the module's own file, when they are in ``folder``."""
    found, here = [], base
    for part in name.split("."):
        here = here / part
        for candidate in (here / "__init__.py", here.with_suffix(".py")):
            if candidate.is_file() and candidate.resolve().is_relative_to(folder):
                found.append(candidate.resolve())
    return found


class FilesSaved(Message):
    """Some of the watched files were saved (absolute paths)."""

    def __init__(self, paths: list[str]) -> None:
        super().__init__()
        self.paths = paths


class WatchStopped(Message):
    """Watching the files failed (e.g. the system's limit of watched folders); the sentence."""

    def __init__(self, reason: str) -> None:
        super().__init__()
        self.reason = reason


def _watch_files(
    files: set[Path], settings: SaveWatch, stop: threading.Event, post: Callable[[Message], object]
) -> None:
    """Block until ``stop`` is set, posting each save of ``files`` (run in a worker thread)."""
    from watchfiles import Change, watch

    def wanted(change: Change, path: str) -> bool:
        return change != Change.deleted and Path(path).resolve() in files

    folders = sorted({str(f.parent) for f in files})
    for changes in watch(
        *folders,
        watch_filter=wanted,
        debounce=settings.debounce_ms,
        step=settings.quiet_ms,
        stop_event=stop,
        recursive=False,
        raise_interrupt=False,
    ):
        post(FilesSaved(sorted({path for _, path in changes})))


class WatchesSaves(_Screen):
    """The debugger's ``--watch`` (a mixin: the screen records, loads and shows)."""

    scenario: str | None
    trace: Trace | None
    stepper: Stepper | None
    recording: bool
    _watching: tuple[frozenset[Path], threading.Event] | None = None
    _saved: str | None = None
    """The names of the files whose save started the recording under way."""
    _saved_again: list[str] | None = None
    """Files saved again while that recording ran: recorded once it ends."""

    if TYPE_CHECKING:

        def start_recording(self) -> None: ...
        def set_status(self, text: str, state: str = "") -> None: ...
        def show_step(self) -> None: ...

    @property
    def save_watch(self) -> SaveWatch | None:
        """The ``--watch`` settings, or ``None`` when saves are not watched."""
        settings = getattr(self.app, "rerecord_on_save", None)
        return settings if isinstance(settings, SaveWatch) and self.scenario else None

    def follow_saves(self) -> None:
        """Watch the scenario's files (again, when a recording changed which they are)."""
        settings = self.save_watch
        if settings is None or self.scenario is None:
            return
        files = frozenset(watched_files(self.scenario, self.trace))
        if self._watching is not None:
            if self._watching[0] == files:
                return
            self._watching[1].set()
        stop = threading.Event()
        self._watching = (files, stop)
        self.run_worker(
            lambda: self._watch_worker(set(files), settings, stop),
            thread=True,
            group="watch-saves",
            exit_on_error=False,
        )

    def _watch_worker(self, files: set[Path], settings: SaveWatch, stop: threading.Event) -> None:
        try:
            _watch_files(files, settings, stop, self.post_message)
        except Exception as exc:  # e.g. the system's inotify limit: debug on, without --watch
            self.post_message(WatchStopped(f"--watch stopped: {exc}"))

    def stop_following_saves(self) -> None:
        if self._watching is not None:
            self._watching[1].set()
            self._watching = None

    def on_files_saved(self, message: FilesSaved) -> None:
        names = ", ".join(sorted({Path(p).name for p in message.paths}))
        if self.recording:
            self._saved_again = sorted({*(self._saved_again or []), *message.paths})
            return
        self._saved = names
        self.start_recording()
        self.set_status(f"{names} saved: recording again… (esc cancels)", "-busy")

    def on_watch_stopped(self, message: WatchStopped) -> None:
        self.notify(message.reason, severity="warning", timeout=5, markup=False)

    def before_reload(self) -> tuple[Trace, Place | None] | None:
        """What a save's re-record is compared with: the trace shown and the cursor's place."""
        if self._saved is None or self.trace is None or self.stepper is None:
            return None
        return self.trace, place_of(self.stepper.steps, self.stepper.index)

    def after_reload(self, before: tuple[Trace, Place | None] | None) -> None:
        """After a recording is shown: for a save's, put the cursor back on its line's step and
        say what changed; then watch the files this recording imported."""
        saved, self._saved = self._saved, None
        if before is not None and saved is not None and self.trace is not None:
            self._show_changes(saved, *before)
        self.follow_saves()
        if self._saved_again is not None:
            again, self._saved_again = self._saved_again, None
            self.on_files_saved(FilesSaved(again))

    def _show_changes(self, saved: str, old: Trace, place: Place | None) -> None:
        assert self.trace is not None and self.stepper is not None
        if place is not None:
            self.stepper.go(find_place(place, self.stepper.steps, self.stepper.index))
        changes = changes_sentence(old, self.trace)
        ending, state = status_text(self.trace)
        text = f"{saved} saved, recorded again · {changes}"
        self.set_status(f"{text} · {ending}" if state else text, state)
        self.show_step()
