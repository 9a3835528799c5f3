"""Run one scenario file as ``__main__`` in this process with the hooks installed."""

from __future__ import annotations

import logging
import os
import random
import re
import runpy
import sys
import traceback
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from types import TracebackType
from typing import Any

import numpy as np
from tensorflow.python.framework import random_seed

from tapetui.record import figures, script, tf_print
from tapetui.record import tf_function_hooks as tff
from tapetui.record import tf_hooks as tfh
from tapetui.record.budget import DEFAULT_BUDGET, Budget
from tapetui.record.frames import ScenarioFiles
from tapetui.record.functions import note_xla_call, trace_before_eager_call
from tapetui.record.guard import muted_threads
from tapetui.record.output import CapturedOutput
from tapetui.record.process import read_source
from tapetui.record.recorder import Recorder, Sink
from tapetui.record.wrappers import RecordingWrappers
from tapetui.scenario.cell_errors import cell_traceback
from tapetui.scenario.notebook import Notebook, is_notebook, read_notebook, run_cells
from tapetui.trace.cells import cell_map_to_dict, skipped_note
from tapetui.trace.events import ErrorEvent
from tapetui.trace.model import ErrorInfo


def seed_everything(seed: int) -> None:
    """Seed Python's, NumPy's and TensorFlow's random numbers, so every run draws the same.

    TensorFlow's global seed is its own default (``DEFAULT_GRAPH_SEED``) plus ``seed``: where a
    scenario leaves the global seed unset, TensorFlow draws an op given its own seed from that
    default, so with the default seed 0 such an op draws what it draws without tapetui (the
    scenario prints the same numbers); an op without a seed draws the same on every run."""
    random.seed(seed)
    np.random.seed(seed)
    tfh.tf.random.set_seed(random_seed.DEFAULT_GRAPH_SEED + seed)


@contextmanager
def hooked(rec: Recorder, output: CapturedOutput | None) -> Iterator[tfh.Hooks]:
    """The hooks installed, and the scenario's output reported, for the duration of the block."""
    hooks = tfh.Hooks(RecordingWrappers(rec))
    was_eager = tff.functions_run_eagerly()
    saved_filters = list(warnings.filters)
    if not rec.budget.graph:
        _run_functions_eagerly(rec, hooks)
    logger = tfh.tf.get_logger()
    logger.addFilter(_NOT_THE_SCENARIOS)
    rec.on_summarise = hooks.stop_observing_ops
    if rec.summarising:  # a recorder that already spent its budget (in-process use)
        hooks.stop_observing_ops()
    if output is not None:
        output.report_to(lambda stream, text: _report_output(rec, stream, text))
    restore_prints = tf_print.report_prints(lambda stream, text: _report_output(rec, stream, text))
    figures.report_to(lambda path, how: _report_figure(rec, path, how))
    saved_exits = os._exit, os.abort
    os._exit, os.abort = _flushing(rec, os._exit), _flushing(rec, os.abort)
    try:
        yield hooks
    finally:
        logger.removeFilter(_NOT_THE_SCENARIOS)
        tff.run_functions_eagerly(was_eager)
        warnings.filters[:] = saved_filters  # type: ignore[index]  # typeshed: a Sequence; a list
        os._exit, os.abort = saved_exits
        if output is not None:
            output.report_to(None)
        restore_prints()
        figures.report_to(None)
        hooks.remove()
        with rec.guard():
            rec.flush()  # a summarised run's last records


# tf.data says this once per `map` when functions run eagerly; the scenario did not ask for it.
class _RecordersOwn(logging.Filter):
    """Drops what TensorFlow logs because the recorder runs functions eagerly: ``pfor``
    (``tf.vectorized_map``, ``jacobian``) says it turns ``run_functions_eagerly`` off again, and
    a distribution strategy's ``run`` of a ``tf.function`` step, compiled a graph where nothing
    runs eagerly, says in its eager body that running eagerly is slow (``run`` of a plain
    Python function still says it, as it does without tapetui)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = str(record.msg)
        if message.startswith(_PFOR_WARNING):
            return False
        return not (tff.IN_BODY.depth and _EAGER_STRATEGY.match(message))


_PFOR_WARNING = "It looks like tf.function behavior was disabled, perhaps using tf.config"
_EAGER_STRATEGY = re.compile(r"Using \w+ eagerly has significant overhead currently\.")
_NOT_THE_SCENARIOS = _RecordersOwn()


def _run_functions_eagerly(rec: Recorder, hooks: tfh.Hooks) -> None:
    """Compiled functions hide their ops, tapes and gradient calls from eager hooks: run them
    eagerly, each call traced first as compiled code is (``tapetui.record.functions``), so that
    a `tf.function` train step (and Keras `fit`) is recorded op by op."""
    hooks.patch_function_calls(trace_before_eager_call(rec), note_xla_call(rec), muted_threads(rec))
    tff.run_functions_eagerly(True)


def _flushing(rec: Recorder, end: Any) -> Any:
    """``os._exit``/``os.abort`` that first push out the records still buffered."""

    def ending(*args: Any) -> Any:
        with rec.guard():
            rec.flush()
        return end(*args)

    return ending


def _report_output(rec: Recorder, stream: str, text: str) -> None:
    with rec.guard():
        rec.on_output(stream, text)


def _report_figure(rec: Recorder, path: str, how: str) -> None:
    """A figure file written at ``path`` (``how``: ``show`` or ``savefig``), listed in the meta
    and the output."""
    with rec.guard():
        line = rec.where()[1]
        rec.notes.setdefault("figures", []).append({"path": path, "line": line, "how": how})
        done = (
            "shown at line {}, saved as {}" if how == "show" else "saved at line {} by savefig: {}"
        )
        rec.on_output("figure", "[figure " + done.format(line, path) + "]\n")


def start_meta(
    scenario: str,
    seed: int,
    budget: Budget = DEFAULT_BUDGET,
    argv: Sequence[str] = (),
    module: str | None = None,
) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "tensorflow": tfh.tf_version(),
        "value_budget": budget.elements,
        "budget": budget.as_meta(),
        "functions": budget.functions,
    }
    if argv:
        meta["argv"] = list(argv)  # what the scenario got as sys.argv[1:]
    if module is not None:
        meta["module"] = module  # run as `python -m module`
    return {"scenario": scenario, "seed": seed, "status": "running", "meta": meta}


def record_file(
    scenario: str,
    sink: Sink,
    seed: int = 0,
    output: CapturedOutput | None = None,
    budget: Budget = DEFAULT_BUDGET,
    argv: Sequence[str] = (),
    module: str | None = None,
) -> int:
    """Record one run of ``scenario`` (named as the user gave it); returns its exit code.

    ``argv`` is the scenario's ``sys.argv[1:]``; with ``module``, ``scenario`` is that module's
    file and it runs as ``python -m module`` does. A notebook (``.ipynb``) runs its code cells.
    """
    path = os.path.abspath(scenario)
    files = ScenarioFiles(path, shown_as=scenario)
    sink("meta", start_meta(scenario, seed, budget, argv, module))
    run, text, notebook = _how_to_run(scenario, path, module)
    sink("source", {"file": scenario, "text": text})
    if notebook is not None:
        sink("notebook", cell_map_to_dict(notebook.cell_map(scenario)))
    rec = Recorder(sink, files, budget)
    if notebook is not None:
        rec.notes["notebook_skipped"] = [skipped_note(s) for s in notebook.skipped]
    seed_everything(seed)
    status, code, error, scope = "finished", 0, None, None
    raised: BaseException | None = None
    saved_argv, saved_path = sys.argv, list(sys.path)
    sys.argv = [path if module is not None else scenario, *argv]
    sys.path.insert(0, os.getcwd() if module is not None else os.path.dirname(path))
    with hooked(rec, output):
        try:
            if run is not None:
                scope = run()
            else:  # the scenario's code right above this frame (``tapetui.record.script``)
                compiled = script.compiled(path)
                with script.as_main(path) as main_globals:
                    exec(compiled, main_globals)
                    scope = dict(main_globals)
        except SystemExit as exc:
            status, code = "exited", _exit_code(exc.code)
        except BaseException as exc:  # the scenario's own failure, reported like Python does
            status, code = "raised", 1
            error, raised = _error_info(files, exc, notebook), exc
            with rec.guard():
                rec.event(
                    ErrorEvent, (error.file, error.line), type=error.type, message=error.message
                )
                _scan_last_frame(rec, files, exc.__traceback__)
        finally:
            sys.argv, sys.path[:] = saved_argv, saved_path
        if scope is not None:
            with rec.guard():
                _scan_scope(rec, scope)
    if raised is not None:
        # Printed outside the capture: the trace keeps ``error.traceback``, which names files as
        # the user did (no absolute paths) and shows only the scenario's own frames.
        _print_traceback(files, raised)
    final: dict[str, Any] = {"status": status, "exit_code": code, "meta": rec.final_notes()}
    if error is not None:
        final["error"] = error
    sink("meta", final)
    return code


def _how_to_run(
    scenario: str, path: str, module: str | None
) -> tuple[Callable[[], dict[str, Any]] | None, str, Notebook | None]:
    """How the scenario runs (``None``: a file ``record_file`` runs itself, as ``__main__``),
    the source recorded for it, and the notebook it is, if one."""
    if is_notebook(path):
        notebook = read_notebook(path)
        return lambda: run_cells(notebook, path), notebook.text, notebook
    text = read_source(path)
    if module is not None:
        return lambda: runpy.run_module(module, run_name="__main__", alter_sys=True), text, None
    if script.runs_as_file(path):
        return None, text, None
    return lambda: runpy.run_path(path, run_name="__main__"), text, None


def _exit_code(code: Any) -> int:
    """The exit status ``python scenario.py`` ends with for ``SystemExit(code)``, as CPython's
    ``_Py_HandleSystemExit`` makes it: ``None`` is 0; an int (``True`` too) is passed to the
    C ``exit()`` (a C long, else -1), which keeps its low byte; anything else (a message,
    the tuple of several arguments) is printed to stderr and is 1."""
    if code is None:
        return 0
    if isinstance(code, int):
        value = int(code)
        return value & 0xFF if -(2**63) <= value < 2**63 else 0xFF
    sys.stdout.flush()
    try:
        text = str(code)
    except Exception:  # CPython prints nothing it cannot make a string of, and still exits 1
        text = ""
    sys.stderr.write(text + "\n")
    return 1


def scenario_frames(files: ScenarioFiles, tb: TracebackType | None) -> list[traceback.FrameSummary]:
    return [frame for frame in traceback.extract_tb(tb) if files.name(frame.filename) is not None]


def _error_info(
    files: ScenarioFiles, exc: BaseException, notebook: Notebook | None = None
) -> ErrorInfo:
    frames = scenario_frames(files, exc.__traceback__)
    shown = [
        traceback.FrameSummary(files.name(f.filename) or f.filename, f.lineno, f.name, line=f.line)
        for f in frames
    ]
    last = frames[-1] if frames else None
    file, line = (files.name(last.filename), last.lineno) if last else (None, None)
    if notebook is not None:
        cells = notebook.cell_map(files.name(files.main) or "")
        if isinstance(exc, SyntaxError) and exc.filename == files.main:  # a cell that never ran
            file, line = cells.file, exc.lineno
        text = cell_traceback(cells, shown, exc)
    else:
        text = "Traceback (most recent call last):\n" + "".join(traceback.format_list(shown))
        text += "".join(traceback.format_exception_only(type(exc), exc))
    # A function's trace-time error happened in its body, which AutoGraph ran as generated code:
    # the line is the one it names "in user code", as plain `python` prints it.
    traced = [(files.name(f), n) for f, n in tff.traced_user_frames(exc) if files.name(f)]
    if traced:
        file, line = traced[-1]
    message = str(exc)
    if notebook is not None and isinstance(exc, SyntaxError):  # not the file's absolute path
        message = str(exc.msg)
    return ErrorInfo(type=type(exc).__name__, message=message, file=file, line=line, traceback=text)


def _print_traceback(files: ScenarioFiles, exc: BaseException) -> None:
    """What ``python scenario.py`` prints: the traceback from the scenario's first frame on."""
    tb = exc.__traceback__
    while tb is not None and files.name(tb.tb_frame.f_code.co_filename) is None:
        tb = tb.tb_next
    shown = traceback.TracebackException(type(exc), exc, tb)
    # A tf.function's trace-time error passes through the recorder's own call wrapper.
    shown.stack = traceback.StackSummary.from_list(
        [f for f in shown.stack if not f.filename.startswith(_RECORDER_DIR)]
    )
    sys.stderr.write("".join(shown.format()))
    sys.stderr.flush()


_RECORDER_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


def _scan_last_frame(rec: Recorder, files: ScenarioFiles, tb: TracebackType | None) -> None:
    frame = None
    while tb is not None:
        if files.name(tb.tb_frame.f_code.co_filename) is not None:
            frame = tb.tb_frame
        tb = tb.tb_next
    if frame is not None:
        rec.scan_names(frame)


def _scan_scope(rec: Recorder, scope: dict[str, Any]) -> None:
    class _Scope:
        f_locals = scope

    rec.scan_names(_Scope)
