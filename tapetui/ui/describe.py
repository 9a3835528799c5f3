"""What the step-detail pane says about the current step, as styled lines; no Textual here."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from tapetui.explain.backward import (
    DIFFERS,
    MATCHES,
    SKIPPED,
    InputCheck,
    check_step,
    differs_sentence,
)
from tapetui.explain.finite import flat, is_bad
from tapetui.explain.function_words import run_by_tensorflow
from tapetui.explain.partials import PartialNames, names_of, partial, target_name, wrt
from tapetui.explain.pyfunc_tapes import py_function_tape_short
from tapetui.explain.rules import LocalPartial
from tapetui.trace import (
    BackwardStepEvent,
    ErrorEvent,
    Event,
    GradientCallEvent,
    GradientSumEvent,
    OpEvent,
    ResumeRecordingEvent,
    StopRecordingEvent,
    Trace,
)
from tapetui.trace.labels import format_data, label
from tapetui.ui.steps import Step
from tapetui.ui.values import call_name, data_of, short, type_text, value_text

Line = tuple[str, str]
"""Text and a Rich style (``""`` for plain)."""
_ONE_LINE = 40
"""The step pane's width at 110 columns: a longer partial puts its rule on the next line."""


@lru_cache(maxsize=4)
def _lines(text: str) -> list[str]:
    """A file's lines, split once per file rather than on every step (a file may be long)."""
    return text.splitlines()


def source_line(trace: Trace, file: str | None, line: int | None) -> str:
    lines = _lines(trace.sources.get(file or "", ""))
    if line is None or not 0 < line <= len(lines):
        return ""
    return lines[line - 1].strip()


def _where(trace: Trace, step: Step) -> list[Line]:
    text = source_line(trace, step.file, step.line)
    where = trace.line_words(step.line, step.file) if step.line is not None else "no scenario line"
    return [(f"{where}  {short(text, 40)}".rstrip(), "bold")]


def _name(trace: Trace, ref: int | None) -> str:
    name = label(trace, ref)
    return "const" if name.startswith("constant ") else name


_NAME_WIDTH = 12
"""A tensor's name column in the forward step; a longer name (an expression) has its own line."""


def _tensor_rows(trace: Trace, role: str, ref: int | None, width: int) -> list[Line]:
    name = _name(trace, ref)
    value = f"{value_text(trace, ref)}  {type_text(trace, ref)}"
    if len(name) > width:
        return [(f"{role:<4}{short(name, 40)}", ""), (f"    {value}", "")]
    return [(f"{role:<4}{name:<{width}} {value}", "")]


def describe_forward(trace: Trace, step: Step, op: OpEvent) -> list[Line]:
    lines = _where(trace, step) + library_lines(op)
    names = [len(_name(trace, r)) for r in [*op.inputs, *op.outputs]]
    width = min(_NAME_WIDTH, max((n for n in names if n <= _NAME_WIDTH), default=1))
    for role, refs in (("in", op.inputs), ("out", op.outputs)):
        for ref in refs:
            lines += _tensor_rows(trace, role, ref, width)
    lines.append(("", ""))
    lines.append(_recorded_text(trace, step, op))
    if op.thread is not None:
        lines.append((f"ran on thread {op.thread}", "dim"))
    if op.function:
        lines.append(_function_text(trace, op.function))
    return lines


def library_lines(op: OpEvent) -> list[Line]:
    """Where below the scenario's line the op ran: ``in keras …/dense.py · Dense.call``, and
    ``layer dense_1`` (nothing for an op the scenario ran itself)."""
    lines: list[Line] = []
    if op.library:
        lines.append((f"in {short_library(op.library)}", "dim"))
    if op.layer:
        lines.append((f"layer {op.layer}", ""))
    return lines


def short_library(frame: str) -> str:
    """``keras …/dense.py · Dense.call`` for ``keras/src/layers/core/dense.py:222 · Dense.call``."""
    path, _, function = frame.partition(" · ")
    parts = path.rsplit(":", 1)[0].split("/")
    shown = f"{parts[0]} …/{parts[-1]}" if len(parts) > 2 else "/".join(parts)
    return f"{shown} · {function}" if function else shown


def _function_text(trace: Trace, function: str) -> Line:
    """Why a ``tf.function`` call is one op here, and how to see inside it."""
    xla = trace.meta.get("xla_functions")
    if isinstance(xla, list) and function in xla:
        why = "XLA-compiled (jit_compile=True) `tf.function`"
        return (f"{why} `{function}`: runs compiled, since XLA fuses its ops", "dim")
    if trace.meta.get("functions") == "compiled":
        return (f"compiled `tf.function` `{function}`: run without --graph to see inside", "dim")
    return (
        f"compiled `tf.function` `{function}`: ran compiled, {run_by_tensorflow(one=True)}",
        "dim",
    )


def _recorded_text(trace: Trace, step: Step, op: OpEvent) -> Line:
    if op.recorded_by:
        tapes = ", ".join(_tape_name(trace, t) for t in op.recorded_by)
        return (f"recorded by {tapes}", "green")
    if step.tape is None:
        return ("recorded by no tape: no tape was open here", "yellow")
    if _paused(trace, step.tape, op.seq):
        return (
            f"not recorded: {_tape_name(trace, step.tape)} was inside stop_recording()",
            "yellow",
        )
    return (
        f"not recorded: {_tape_name(trace, step.tape)} was open but no input was watched",
        "yellow",
    )


def _paused(trace: Trace, tape: int, seq: int) -> bool:
    """Whether ``tape`` was inside ``stop_recording()`` at ``seq``."""
    paused = False
    for event in tape_events(trace, tape):
        if event.seq >= seq:
            break
        if isinstance(event, StopRecordingEvent | ResumeRecordingEvent):
            paused = isinstance(event, StopRecordingEvent)
    return paused


def tape_events(trace: Trace, tape: int) -> list[Event]:
    """The tape's own events (enter, watch, stop, resume, reset, exit), in order."""
    return trace.tape_events().get(tape, [])


def _tape_name(trace: Trace, tape_id: int) -> str:
    tape = trace.tapes.get(tape_id)
    words = [tape.label] if tape is not None and tape.label else []
    made = py_function_tape_short(trace, tape_id)
    words += [made] if made is not None else []
    return f"tape {tape_id} ({', '.join(words)})" if words else f"tape {tape_id}"


def describe_backward(trace: Trace, step: Step, event: BackwardStepEvent) -> list[Line]:
    call = trace.gradient_calls.get(event.call)
    checked = check_step(trace, event)
    op = checked.op
    lines = _where(trace, step)
    lines.append(
        (f"backward of {event.op_type}" + (f" for {call_name(trace, call)}" if call else ""), "dim")
    )
    upstream = event.upstream[0] if event.upstream else None
    if op is None:
        target = target_name(trace, call)
        produced = ", ".join(value_text(trace, ref) for ref in event.produced)
        lines.append((f"upstream ∂{wrt(target)}/∂out = {value_text(trace, upstream)}", ""))
        lines.append(("the forward op of this step was not recorded, so no rule is checked", "dim"))
        lines.append((f"TensorFlow's gradient for its inputs: {produced or 'none'}", ""))
        return lines
    named = [names_of(trace, checked, item) for item in checked.inputs]
    if named:
        sep = ": " if named[0].upstream.startswith("contribution") else " "
        lines.append((f"upstream{sep}{named[0].upstream} = {value_text(trace, upstream)}", ""))
    for item, names in zip(checked.inputs, named, strict=True):
        at = _singular_at(trace, op, item.partial)
        lines += _input_lines(trace, event.op_type, item, names, differs_sentence(checked), at)
    if event.custom:
        lines.append(("TensorFlow ran the scenario's tf.custom_gradient for this op", "dim"))
    return lines


def _preview(value: Any, width: int = 30) -> str:
    """A value short enough for one line: ``[3.3, 4.4, … 17 values]`` for a long one."""
    text = format_data(value)
    if len(text) <= width or not isinstance(value, list):
        return text
    flat = list(_flat(value))
    shown: list[str] = []
    for item in flat:
        if len(", ".join([*shown, format_data(item)])) > width - 14 and shown:
            break
        shown.append(format_data(item))
    return "[" + ", ".join(shown) + f", … {len(flat)} values]"


def _flat(value: Any) -> Any:
    if isinstance(value, list):
        for item in value:
            yield from _flat(item)
    else:
        yield value


def _axes_text(axes: tuple[int, ...]) -> str:
    return ("axis " if len(axes) == 1 else "axes ") + ", ".join(map(str, axes))


def _singular_at(trace: Trace, op: OpEvent, partial: LocalPartial | None) -> str:
    """`` at a = 0.0`` (the rule's inputs) where its local value is inf or NaN, else ``""``."""
    if partial is None or partial.local is None or not any(map(is_bad, flat(partial.local))):
        return ""
    values = [data_of(trace, ref) for ref in op.inputs[:2]]
    pairs = zip("ab"[: len(values)], values, strict=True)
    named = [f"{n} = {_preview(v, 24)}" for n, v in pairs if v is not None]
    return f" at {', '.join(named)}" if named else ""


def _input_lines(
    trace: Trace, op_type: str, item: InputCheck, names: PartialNames, differs: str, at: str = ""
) -> list[Line]:
    name = label(trace, item.input)
    letter = f" ({names.letter})" if names.letter and item.partial is not None else ""
    head = (f"input {item.index}{letter}: {name}", "bold")
    if item.check == SKIPPED:
        return [head, ("  skipped: no gradient needed here", "dim")]
    partial = item.partial
    lines = [head]
    if partial is None:
        lines.append((f"  local partial: no rule for {op_type}", "dim"))
    else:
        local = "" if partial.local is None else f" = {_preview(partial.local, 24)}{at}"
        style = "yellow" if at else "cyan"
        rule = f"{partial.rule}{local}"
        if names.local and len(names.local) + len(rule) + 10 <= _ONE_LINE:
            lines.append((f"  local {names.local}: {rule}", style))
        elif names.local:  # the rule under the partial it gives
            lines += [(f"  local {names.local}", style), (f"    = {rule}", style)]
        else:
            lines.append((f"  {rule}", style))
        lines += _product_lines(trace, name, item, partial)
    return lines + _produced_lines(trace, names, item, differs)


def _product_lines(trace: Trace, name: str, item: InputCheck, partial: LocalPartial) -> list[Line]:
    if partial.product is None or partial.local is None:
        return []
    if partial.axes:
        return [
            (f"  upstream × local = {_preview(partial.unreduced)}", ""),
            (
                f"  summed over {_axes_text(partial.axes)} because {name} was broadcast"
                f" = {_preview(partial.product)}",
                "",
            ),
        ]
    upstream = data_of(trace, item.upstream)
    factors = f"{format_data(upstream)} × {format_data(partial.local)} = "
    factors = factors if len(factors) < 24 else ""
    return [(f"  upstream × local = {factors}{_preview(partial.product)}", "")]


def _produced_lines(
    trace: Trace, names: PartialNames, item: InputCheck, differs: str
) -> list[Line]:
    if item.produced is None:
        return [(f"  {names.gradient}: no gradient", "yellow")]
    lines: list[Line] = []
    text = f"  {names.gradient} = {value_text(trace, item.produced)}"
    if names.contribution:  # the phrase is long: its value goes on a line of its own
        lines.append((f"  {names.gradient}", ""))
        text = f"    = {value_text(trace, item.produced)}"
    if item.check == MATCHES:
        return [*_styled(lines, "green"), (text + "  ✓ matches TF", "green")]
    if item.check == DIFFERS:
        return [
            *_styled(lines, "yellow"),
            (text + "  ✗ not the rule's value", "yellow"),
            (f"  {differs}", "yellow"),
        ]
    return [*lines, (text, "")]


def _styled(lines: list[Line], style: str) -> list[Line]:
    return [(text, style) for text, _ in lines]


def describe_sum(trace: Trace, step: Step, event: GradientSumEvent) -> list[Line]:
    name = label(trace, event.tensor)
    target = target_name(trace, trace.gradient_calls.get(event.call))
    parts = " + ".join(value_text(trace, ref) for ref in event.contributions)
    total = f" = {value_text(trace, event.total)}" if event.total is not None else ""
    return [
        (f"sum of gradients into {name}", "bold"),
        (f"{name} feeds {len(event.contributions)} places, so its gradient adds up:", "dim"),
        (f"{partial(target, name)} = {parts}{total}", "cyan"),
    ]


def describe_call(
    trace: Trace, step: Step, event: GradientCallEvent, explanation: Any
) -> list[Line]:
    call = trace.gradient_calls.get(event.call)
    if call is None:
        return _where(trace, step)
    lines = _where(trace, step)
    thread = f" · thread {call.thread}" if call.thread is not None else ""
    lines.append(
        (f"{call.method} {call_name(trace, call)} on {_tape_name(trace, call.tape)}{thread}", "dim")
    )
    if call.error is not None:
        lines.append((f"raised {call.error.type}: {short(call.error.message, 60)}", "red"))
    for ref in call.target_ids:
        lines.append((f"target {label(trace, ref)} = {value_text(trace, ref)}", ""))
    causes = list(getattr(explanation, "results", []) or [])
    returned = call.source_ids if call.error is None else []  # a call that raised returned nothing
    for i, ref in enumerate(returned):
        result = call.result_ids[i] if i < len(call.result_ids) else None
        lines.append(_result_line(trace, ref, result, causes[i] if i < len(causes) else None))
    error = getattr(explanation, "error", None)
    if error is not None:
        lines.append((f"cause: {error.code} — {error.sentence}", "yellow"))
    for note in getattr(explanation, "notes", []) or []:
        lines.append((f"note: {getattr(note, 'sentence', note)}", "dim"))
    if call.error is not None or None in call.result_ids[: len(call.source_ids)]:
        lines += [("", ""), ("w: why, with the evidence in the source", "dim")]
    return lines


def _result_line(trace: Trace, source: int, result: int | None, cause: Any) -> Line:
    name = label(trace, source)
    if result is None:
        code = f"  {cause.code}" if cause is not None else ""
        return (f"✗ {name}: None{code}", "red")
    text = f"✓ {name}: {value_text(trace, result)}"
    if cause is not None:  # zeros under unconnected_gradients=ZERO
        return (f"{text}  {cause.code}", "yellow")
    return (text, "green")


def describe_error(trace: Trace, step: Step, event: ErrorEvent) -> list[Line]:
    where = f" {trace.on_line_words(step.line, step.file)}" if step.line is not None else ""
    lines: list[Line] = [(f"the scenario raised {event.type}{where}", "bold red"), ("", "")]
    error = trace.error
    if error is not None and error.traceback:  # ends with the message
        return lines + [(row, "") for row in error.traceback.rstrip().splitlines()]
    return [*lines, (event.message, "red")]


def _error_cause(explanations: Mapping[int, Any]) -> list[Line]:
    """The scenario's error explained, when the explainer can (an optimizer given no gradients)."""
    cause = getattr(explanations, "scenario_error", None)
    if cause is None:
        return []
    return [
        ("", ""),
        (f"cause: {cause.code}", "bold red"),
        (cause.sentence, "yellow"),
        ("w: why, with the evidence in the source", "dim"),
    ]


def describe(trace: Trace, step: Step | None, explanations: Mapping[int, Any]) -> list[Line]:
    """The lines for the step-detail pane."""
    if step is None:
        return [("nothing to step through: the scenario ran no TensorFlow ops", "yellow")]
    event = step.event
    if isinstance(event, OpEvent):
        return describe_forward(trace, step, event)
    if isinstance(event, BackwardStepEvent):
        return describe_backward(trace, step, event)
    if isinstance(event, GradientSumEvent):
        return describe_sum(trace, step, event)
    if isinstance(event, GradientCallEvent):
        return describe_call(trace, step, event, explanations.get(event.call))
    if isinstance(event, ErrorEvent):
        return describe_error(trace, step, event) + _error_cause(explanations)
    return _where(trace, step)
