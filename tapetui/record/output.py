"""The scenario's stdout/stderr, passed through unchanged and copied into the trace; its stdin."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, TextIO

STDIN_CLOSED = (
    "input() is not available: tapetui runs the scenario with stdin closed; "
    "give the scenario its input another way (a constant, a file)"
)


class Tee:
    """Writes through to the real stream, and reports each write to ``report`` when set."""

    def __init__(self, real: TextIO, name: str) -> None:
        self.real = real
        self.name = name
        self.report: Callable[[str, str], None] | None = None

    def write(self, text: str) -> int:
        written = self.real.write(text)
        if self.report is not None and text:
            self.report(self.name, text)
        return written

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        self.real.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


class ClosedStdin:
    """Stands for stdin: reading raises EOFError with a message saying why."""

    closed = False
    encoding = "utf-8"

    def readline(self, *_: Any) -> str:
        raise EOFError(STDIN_CLOSED)

    read = readline
    readlines = readline

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        raise OSError("stdin is closed while tapetui records")

    def __iter__(self) -> ClosedStdin:
        return self

    def __next__(self) -> str:
        raise EOFError(STDIN_CLOSED)


class CapturedOutput:
    """Installs the tees and the closed stdin; ``restore()`` puts the real streams back."""

    def __init__(self, close_stdin: bool = True) -> None:
        self.saved = (sys.stdin, sys.stdout, sys.stderr)
        self.stdout = Tee(sys.stdout, "stdout")
        self.stderr = Tee(sys.stderr, "stderr")
        sys.stdout, sys.stderr = self.stdout, self.stderr  # type: ignore[assignment]
        if close_stdin:
            sys.stdin = ClosedStdin()  # type: ignore[assignment]

    def report_to(self, report: Callable[[str, str], None] | None) -> None:
        self.stdout.report = report
        self.stderr.report = report

    def restore(self) -> None:
        self.report_to(None)
        sys.stdin, sys.stdout, sys.stderr = self.saved
