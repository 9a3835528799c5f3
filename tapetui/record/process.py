"""Parent side of recording: check a scenario, run it in a child process, read its trace stream.

Never imports TensorFlow: only the child (``python -m tapetui.record``) does.
"""

from __future__ import annotations

import io
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import tokenize
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from tapetui.record import figures
from tapetui.record.budget import Budget
from tapetui.record.lifeline import Lifeline, end_group, started
from tapetui.scenario.notebook import NotebookError, is_notebook, read_notebook
from tapetui.trace.events import TapeExitEvent
from tapetui.trace.model import ErrorInfo, Trace
from tapetui.trace.stream import apply_record, parse_line

if TYPE_CHECKING:
    from tapetui.record.warm import WarmPool

POLL_SECONDS = 0.05


class ScenarioError(ValueError):
    """The scenario cannot be run at all; the message is one sentence naming the path."""


def read_source(path: str | Path) -> str:
    """A Python file's text, decoded as Python does: UTF-8 unless a coding line says otherwise.

    Raises ScenarioError naming the file when it cannot be read or decoded.
    """
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ScenarioError(f"{path} cannot be read: {exc.strerror}") from None
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        return data.decode(encoding)
    except (SyntaxError, LookupError, UnicodeDecodeError):
        raise ScenarioError(
            f"{path} is not a Python file (it is not UTF-8 text and declares no other encoding)"
        ) from None


def check_scenario(path: str | Path) -> Path:
    """The scenario's path if it is a readable Python file that compiles; else ScenarioError.

    Compiling never runs the file.
    """
    p = Path(path)
    if not p.exists():
        raise ScenarioError(f"{path} does not exist")
    if p.is_dir():
        raise ScenarioError(f"{path} is a directory, not a Python file")
    if not p.is_file():
        raise ScenarioError(f"{path} is not a regular file")
    if is_notebook(p):
        try:
            read_notebook(path)  # a cell's syntax error ends the run there, as in Jupyter
        except NotebookError as exc:
            raise ScenarioError(str(exc)) from None
        return p
    source = read_source(p)
    if "\0" in source:
        raise ScenarioError(f"{path} is not a Python file (it contains binary data)")
    try:
        compile(source, str(path), "exec", dont_inherit=True)
    except SyntaxError as exc:
        raise ScenarioError(f"{path}:{exc.lineno}: {exc.msg}") from None
    return p


def child_command(
    scenario: str | Path,
    stream: Path,
    seed: int,
    budget: Budget | None = None,
    argv: Sequence[str] = (),
    module: str | None = None,
) -> list[str]:
    return [
        sys.executable,
        "-m",
        "tapetui.record",
        str(scenario),
        "--stream",
        str(stream),
        "--seed",
        str(seed),
        *(budget.as_options() if budget is not None else ()),
        *((f"--argv={json.dumps(list(argv))}",) if argv else ()),  # as one: "--" stays
        *((f"--module={module}",) if module is not None else ()),
    ]


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env["MPLBACKEND"] = figures.BACKEND  # plt.show() saves a PNG
    return env


class _StreamReader:
    """Reads the records a child appends to its stream file, complete lines only."""

    def __init__(
        self, path: Path, trace: Trace, on_record: Callable[[dict[str, Any]], None] | None
    ) -> None:
        self.path = path
        self.trace = trace
        self.on_record = on_record
        self.file: IO[str] | None = None
        self.pending = ""

    def poll(self) -> None:
        if self.file is None:
            if not self.path.exists():
                return
            self.file = open(self.path, encoding="utf-8")
        chunk = self.file.read()
        if not chunk:
            return
        lines = (self.pending + chunk).split("\n")
        self.pending = lines.pop()
        for line in lines:
            if line.strip():
                self._take(parse_line(line))

    def _take(self, record: Any) -> None:
        apply_record(self.trace, record)  # a damaged record is counted in the meta, not raised
        if self.on_record is not None and isinstance(record, dict):
            self.on_record(record)

    def close(self) -> None:
        if self.file is not None:
            self.file.close()


def record(
    scenario: str | Path,
    *,
    seed: int = 0,
    timeout: float | None = None,
    stream_to: Path | None = None,
    on_record: Callable[[dict[str, Any]], None] | None = None,
    cancel: threading.Event | None = None,
    warm: WarmPool | None = None,
    budget: Budget | None = None,
    argv: Sequence[str] = (),
    module: str | None = None,
) -> Trace:
    """Record ``scenario`` in a child process and return its trace, partial if it failed.

    ``budget`` bounds what is kept (``tapetui.record.budget``; default ``DEFAULT_BUDGET``).
    ``argv`` is the scenario's ``sys.argv[1:]``; with ``module``, ``scenario`` is the module's
    file and it runs as ``python -m module`` (``tapetui.scenario.target``).

    With ``warm``, a child that has already imported TensorFlow records it when one is there
    (the same trace as a cold child); else a new child starts.
    Raises ScenarioError for a scenario that cannot run at all (missing, not Python).
    """
    check_scenario(scenario)
    trace = Trace(scenario=str(scenario), seed=seed)
    with tempfile.TemporaryDirectory(prefix="tapetui-") as tmp:
        stream = Path(stream_to) if stream_to is not None else Path(tmp) / "trace.jsonl"
        stream.unlink(missing_ok=True)
        child, err, lifeline = _launch(
            child_command(scenario, stream, seed, budget, argv, module), Path(tmp), warm
        )
        with err:
            try:
                outcome = _follow(child, _StreamReader(stream, trace, on_record), timeout, cancel)
            finally:
                end_group(child)  # what the scenario started ends with it
                lifeline.close()
            if warm is not None:
                warm.start()  # the next recording's child, now that this one no longer needs the CPU
            err.seek(0)
            _conclude(trace, child.returncode, outcome, err.read(), timeout)
    trace.scenario = str(scenario)
    trace.reindex()
    return trace


def _launch(
    command: list[str], tmp: Path, warm: WarmPool | None
) -> tuple[subprocess.Popen[bytes], IO[str], Lifeline]:
    """A child recording ``command`` (a warm one when the pool has one), its stderr file, and
    its lifeline. The child leads a process group (a session) of its own."""
    handover = warm.take(command) if warm is not None else None
    if handover is not None:
        return handover.process, handover.stderr, handover.lifeline
    err = open(tmp / "stderr.txt", "w+", encoding="utf-8", errors="replace")
    lifeline = Lifeline()
    try:
        child = subprocess.Popen(
            [*command, "--lifeline", str(lifeline.child_fd)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=err,
            env=child_env(),
            pass_fds=(lifeline.child_fd,),
            start_new_session=True,
        )
    except BaseException:
        lifeline.close()
        err.close()
        raise
    lifeline.child_started()
    started(child)
    return child, err, lifeline


def _follow(
    child: subprocess.Popen[bytes],
    reader: _StreamReader,
    timeout: float | None,
    cancel: threading.Event | None,
) -> str:
    """Read the stream until the child ends; ``exited``, ``timeout`` or ``cancelled``."""
    start = time.monotonic()
    outcome = "exited"
    try:
        while child.poll() is None:
            reader.poll()
            if cancel is not None and cancel.is_set():
                outcome = "cancelled"
            elif timeout is not None and time.monotonic() - start > timeout:
                outcome = "timeout"
            if outcome != "exited":
                end_group(child)
                break
            time.sleep(POLL_SECONDS)
        reader.poll()
    finally:
        reader.close()
    return outcome


def _conclude(
    trace: Trace, returncode: int, outcome: str, stderr: str, timeout: float | None
) -> None:
    if outcome == "timeout":
        trace.status = "timeout"
        trace.error = ErrorInfo(
            "Timeout", f"The scenario ran longer than {timeout:g} s and was stopped."
        )
    elif outcome == "cancelled":
        trace.status = "cancelled"
    elif returncode < 0:
        trace.status = "died"
        trace.exit_code = returncode
        trace.error = ErrorInfo("Died", _death_sentence(trace, -returncode))
    elif trace.status == "running":
        trace.status = "died"
        trace.exit_code = returncode
        trace.error = ErrorInfo("Died", _early_exit_sentence(trace, returncode, stderr))


def _last_line(trace: Trace) -> str:
    # A tape's exit is reported on its ``with`` line, which is not where the scenario had got to.
    lines = [
        e.line for e in trace.events if e.line is not None and not isinstance(e, TapeExitEvent)
    ]
    return f" after line {lines[-1]}" if lines else ""


def _death_sentence(trace: Trace, signum: int) -> str:
    try:
        name = signal.Signals(signum).name
    except ValueError:
        name = f"signal {signum}"
    return f"The scenario's process died with {name}{_last_line(trace)}; the trace keeps what ran before."


# TensorFlow's C++ log lines (``E0000 00:00:17… cuda_platform.cc:52] …``) are noise, not causes.
_NATIVE_LOG = re.compile(r"^(?:[IWEF]\d{4} |WARNING: All log messages before absl::)")


def _early_exit_sentence(trace: Trace, returncode: int, stderr: str) -> str:
    """Why a process that ended on its own left no final record: ``os._exit``, or a hard crash."""
    said = [line for line in stderr.strip().splitlines() if not _NATIVE_LOG.match(line)]
    because = f" ({said[-1].strip()})" if said else " (os._exit or a crash outside Python)"
    return (
        f"The scenario's process ended with exit code {returncode}{_last_line(trace)} before "
        f"the scenario finished{because}; the trace keeps what ran before."
    )
