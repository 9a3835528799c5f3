"""The scenario's stdout/stderr, passed through unchanged and copied into the trace; its stdin."""

from __future__ import annotations

import codecs
import io
import os
import sys
from collections.abc import Callable
from typing import Any, NoReturn, TextIO

STDIN_CLOSED = (
    "stdin is not available: tapetui runs the scenario with stdin closed; "
    "give the scenario its input another way (a constant, a file)"
)


class Tee:
    """Writes through to the real stream, and reports each write to ``report`` when set."""

    def __init__(self, real: TextIO, name: str) -> None:
        self.real = real
        self.name = name
        self.report: Callable[[str, str], None] | None = None
        self._buffer: _BufferTee | None = None

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

    @property
    def buffer(self) -> Any:
        """The real stream's bytes, copied too (``sys.stdout.buffer.write(b"…")``): bytes that
        are not text in the stream's encoding are kept as ``\\xff`` escapes."""
        real = self.real.buffer
        if self._buffer is None or self._buffer.real is not real:
            self._buffer = _BufferTee(real, self)
        return self._buffer

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


class _BufferTee:
    """A text stream's ``buffer`` that reports what is written to it, decoded, to its ``Tee``."""

    def __init__(self, real: Any, tee: Tee) -> None:
        self.real = real
        self.tee = tee
        encoding = getattr(tee.real, "encoding", None) or "utf-8"
        self.decoder = codecs.getincrementaldecoder(encoding)(errors="backslashreplace")

    def write(self, data: Any) -> int:
        written: int = self.real.write(data)
        text = self.decoder.decode(bytes(data))
        if self.tee.report is not None and text:
            self.tee.report(self.tee.name, text)
        return written

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


class StdinClosedError(ValueError, EOFError):
    """What reading the stand-in stdin raises: the ``ValueError`` of a closed file, and the
    ``EOFError`` that ``input()`` raises at the end of its input. Shown as ``EOFError``."""

    __module__ = "builtins"


StdinClosedError.__name__ = StdinClosedError.__qualname__ = "EOFError"


class ClosedStdin(io.TextIOWrapper):
    """Stands for stdin: a closed file in every way (``closed``; ``close()`` does nothing;
    ``fileno()``, ``isatty()``, ``readable()``, ``with`` and ``buffer`` raise as a closed file's
    do), whose reads say why it is closed. A process the scenario forks (``multiprocessing``)
    replaces it with ``/dev/null`` as it replaces a real stdin."""

    def __init__(self) -> None:
        raw = io.FileIO(os.devnull, "r")
        raw.name = "<stdin>"
        super().__init__(io.BufferedReader(raw), encoding="utf-8")
        self.mode = "r"  # type: ignore[misc]
        self.close()

    def read(self, *_: Any) -> NoReturn:
        raise StdinClosedError(STDIN_CLOSED)

    def readline(self, *_: Any) -> NoReturn:
        raise StdinClosedError(STDIN_CLOSED)

    def readlines(self, *_: Any) -> NoReturn:
        raise StdinClosedError(STDIN_CLOSED)

    def __iter__(self) -> NoReturn:
        raise StdinClosedError(STDIN_CLOSED)

    def __next__(self) -> NoReturn:
        raise StdinClosedError(STDIN_CLOSED)


class CapturedOutput:
    """Installs the tees and the closed stdin; ``restore()`` puts the real streams back."""

    def __init__(self, close_stdin: bool = True) -> None:
        self.saved = (sys.stdin, sys.stdout, sys.stderr)
        self.stdout = Tee(sys.stdout, "stdout")
        self.stderr = Tee(sys.stderr, "stderr")
        sys.stdout, sys.stderr = self.stdout, self.stderr
        if close_stdin:
            sys.stdin = ClosedStdin()

    def report_to(self, report: Callable[[str, str], None] | None) -> None:
        self.stdout.report = report
        self.stderr.report = report

    def restore(self) -> None:
        self.report_to(None)
        sys.stdin, sys.stdout, sys.stderr = self.saved
