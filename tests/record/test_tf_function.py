"""`tf.function`s while recording: run eagerly op by op, traced first; `--graph` keeps them compiled.

Every scenario here also runs under plain `python`, and the recording is held to that run: the
same printed values, the same trace-time errors at the same lines.
"""

from __future__ import annotations

import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from tapetui.record.budget import Budget
from tapetui.record.process import record
from tapetui.report import render_json, render_text
from tapetui.trace import Trace
from tapetui.ui.describe import describe
from tapetui.ui.status import status_text
from tapetui.ui.steps import build_steps
from tests.record.conftest import ROOT, plain_env

FUNCTIONS = ROOT / "tests" / "record" / "functions"
LOOP = ROOT / "scenarios" / "keras" / "tf_function_loop.py"
DATASET = ROOT / "scenarios" / "keras" / "dataset_loop.py"
TRACE_TIME_ERRORS = ["numpy_in_function.py", "python_if.py", "variable_every_call.py"]


@dataclass
class Plain:
    code: int
    stdout: str
    stderr: str


def _plain(path: Path) -> Plain:
    done = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, cwd=ROOT,
                          env=plain_env(), stdin=subprocess.DEVNULL, timeout=300)  # fmt: skip
    return Plain(done.returncode, done.stdout, done.stderr)


RUNS: dict[str, tuple[Path, Budget]] = {
    "loop": (LOOP, Budget()),
    "loop --graph": (LOOP, Budget(graph=True)),
    "dataset": (DATASET, Budget()),
    "built_in_trace": (FUNCTIONS / "built_in_trace.py", Budget()),
    "xla": (FUNCTIONS / "xla_function.py", Budget()),
    "print": (FUNCTIONS / "print_in_function.py", Budget()),
    **{name: (FUNCTIONS / name, Budget()) for name in TRACE_TIME_ERRORS},
}


@pytest.fixture(scope="module")
def runs() -> dict[str, tuple[Plain, Trace]]:
    def both(key: str) -> tuple[Plain, Trace]:
        path, budget = RUNS[key]
        return _plain(path), record(path, budget=budget, timeout=300)

    with ThreadPoolExecutor(2) as pool:
        return dict(zip(RUNS, pool.map(both, RUNS), strict=True))


def _line(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def _printed_gradients(stdout: str) -> list[float]:
    return [float(v) for pair in re.findall(r"dw (\S+) db (\S+)", stdout) for v in pair]


def _value(trace: Trace, ref: int) -> float:
    data = trace.tensors[ref].data
    while isinstance(data, list):
        (data,) = data
    return float(data)


def test_a_tf_function_loop_records_each_gradient_call_with_plain_values(runs) -> None:
    plain, trace = runs["loop"]
    calls = sorted(trace.gradient_calls.values(), key=lambda c: c.seq)
    assert len(calls) == 5
    assert {c.line for c in calls} == {_line(LOOP, "tape.gradient(loss, [w, b])")}
    assert {t.line for t in trace.tapes.values()} == {_line(LOOP, "with tf.GradientTape()")}
    recorded = [_value(trace, ref) for c in calls for ref in c.result_ids if ref is not None]
    assert recorded == pytest.approx(_printed_gradients(plain.stdout), abs=1e-6)
    assert len(recorded) == 10 and trace.output("stdout") == plain.stdout


def test_the_ops_inside_the_function_are_recorded_at_their_own_lines(runs) -> None:
    _, trace = runs["loop"]
    matmul = [op for op in trace.ops.values() if op.op_type == "MatMul" and not op.backward]
    assert matmul and {op.line for op in matmul} == {_line(LOOP, "tf.matmul(x, w) + b")}
    assert trace.meta["functions"] == "eager"
    assert trace.meta["eager_functions"] == ["train_step"]
    assert "tf.functions run eagerly" in status_text(trace)[0]
    assert "tf.functions ran eagerly, op by op" in render_text(trace)


def test_graph_keeps_each_call_one_op_and_says_so(runs) -> None:
    plain, trace = runs["loop --graph"]
    assert trace.gradient_calls == {}
    calls = [op for op in trace.ops.values() if op.function == "train_step"]
    assert len(calls) == 5 and {op.line for op in calls} == {_line(LOOP, "= train_step(x, y)")}
    assert trace.meta["functions"] == "compiled"
    assert trace.output("stdout") == plain.stdout
    assert "tf.functions compiled (--graph)" in status_text(trace)[0]
    assert "ran compiled (with --graph), each call one op: train_step" in render_text(trace)
    assert '"mode": "compiled"' in render_json(trace)
    steps = build_steps(trace)
    step = next(s for s in steps if getattr(s.event, "function", None) == "train_step")
    pane = [text for text, _ in describe(trace, step, {})]
    assert "compiled `tf.function` `train_step`: run without --graph to see inside" in pane


def _plain_error(plain: Plain) -> tuple[str, int]:
    """The error's type and the user's line, as plain `python` prints them: the line AutoGraph
    names "in user code", else the traceback's last frame in the scenario."""
    last = plain.stderr.strip().splitlines()[-1]
    kind = last.split(":")[0].rsplit(".", 1)[-1]
    if kind == "" or not kind[0].isupper():  # AutoGraph ends with an indented message
        kind = re.findall(r"^(\w+): in user code:", plain.stderr, re.M)[-1]
    user = re.findall(r'File "[^"]+", line (\d+), in \w+  \*', plain.stderr)
    frames = re.findall(r'File "[^"]*functions/[^"]+", line (\d+)', plain.stderr)
    return kind, int((user or frames)[-1])


@pytest.mark.parametrize("name", TRACE_TIME_ERRORS)
def test_a_trace_time_error_ends_the_scenario_as_under_plain_python(runs, name: str) -> None:
    plain, trace = runs[name]
    kind, line = _plain_error(plain)
    assert plain.code == 1 and trace.status == "raised"
    assert trace.error is not None
    assert (trace.error.type, trace.error.line) == (kind, line)
    assert trace.output("stdout") == plain.stdout


def test_the_numpy_error_points_at_the_line_inside_the_function(runs) -> None:
    _, trace = runs["numpy_in_function.py"]
    assert trace.error is not None and "'SymbolicTensor' object has no attribute 'numpy'" in (
        trace.error.message
    )
    assert trace.error.line == _line(FUNCTIONS / "numpy_in_function.py", "x.numpy()")


def test_what_the_first_trace_makes_is_made_once_and_used_eagerly(runs) -> None:
    plain, trace = runs["built_in_trace"]
    assert trace.status == "finished"
    assert trace.output("stdout") == plain.stdout  # values, the count made, the variable's kind
    assert len(trace.gradient_calls) == 4
    layer_calls = [c for c in trace.gradient_calls.values() if len(c.source_ids) == 2]
    assert len(layer_calls) == 2  # the Keras layer's kernel and bias, known as its variables
    assert all(set(c.source_ids) <= set(trace.variables) for c in layer_calls)
    (kernel, bias) = (trace.variables[ref] for ref in layer_calls[0].source_ids)
    assert (kernel.shape, bias.shape) == ([4, 2], [2])


def test_an_xla_function_runs_compiled(runs) -> None:
    plain, trace = runs["xla"]
    assert trace.output("stdout") == plain.stdout == "tf.Tensor(12.0, shape=(), dtype=float32)\n"
    assert trace.meta["xla_functions"] == ["square"]
    assert not [op for op in trace.ops.values() if op.op_type == "Mul"]
    assert "XLA-compiled tf.functions (jit_compile=True) ran compiled" in render_text(trace)


def test_a_print_in_a_function_prints_once_a_trace_and_tf_print_on_every_call(runs) -> None:
    plain, trace = runs["print"]
    assert plain.stdout.count("python print") == 1  # once, while tracing
    assert trace.output("stdout") == plain.stdout == "python print\n"  # the eager runs quiet
    assert plain.stderr.count("tf.print") == 3
    assert trace.output("stderr") == "tf.print\n" * 3  # the kernel's text, kept in the trace


def test_a_dataset_loop_prints_what_plain_python_prints(runs) -> None:
    plain, trace = runs["dataset"]
    assert trace.output("stdout") == plain.stdout
    assert "tf.data" not in trace.output("stderr")  # no warning about functions run eagerly
    assert len(trace.gradient_calls) == 6
    assert all(None not in call.result_ids for call in trace.gradient_calls.values())


def test_graph_is_an_option_of_record_report_and_the_debugger(tmp_path: Path) -> None:
    from tapetui.cli import _record_parser, _report_parser, _ui_parser
    from tapetui.record.budget import budget_from_options
    from tapetui.record.process import child_command

    for parser, argv in [
        (_record_parser(), ["s.py", "-o", "t.json"]),
        (_report_parser(), ["s.py"]),
        (_ui_parser(), ["s.py"]),
    ]:
        assert budget_from_options(parser.parse_args([*argv, "--graph"])).graph
        assert not budget_from_options(parser.parse_args(argv)).graph
    command = child_command("s.py", tmp_path / "t.jsonl", 0, Budget(graph=True))
    assert command[-1] == "--graph" and "--graph" not in child_command("s.py", tmp_path, 0)
