"""The plain-text report, readable in a CI log; the scenario's text in it is shown with its
control characters made visible (``tapetui.trace.printable``), so it cannot act on a terminal."""

from __future__ import annotations

import shlex
from typing import Any

from tapetui.explain.function_words import run_by_tensorflow
from tapetui.explain.pyfunc_tapes import py_function_tape_words
from tapetui.explain.summarised import BUDGET_OPTIONS, detail_spent
from tapetui.report.build import build_report, no_collector_pauses
from tapetui.trace import Trace
from tapetui.trace.cells import Skipped, skipped_note
from tapetui.trace.labels import format_data
from tapetui.trace.printable import printable

ENDINGS = {
    "raised": "the scenario raised {type} at {line}: {message}",
    "exited": "the scenario exited with code {code} (SystemExit); what ran before is recorded",
    "died": "{message}",
    "timeout": "the scenario was stopped after the time limit; what ran before is recorded",
    "cancelled": "the scenario was cancelled; what ran before is recorded",
}


def ending_sentence(trace: Trace, target: str) -> str:
    """One sentence on how the run ended, or "" when it finished normally with tapes."""
    error = trace.error
    template = ENDINGS.get(trace.status)
    if template is not None and not (trace.status == "exited" and trace.exit_code == 0):
        message = error.message if error else ""
        if not message and trace.status == "died":
            message = "the scenario's process ended early; what ran before is recorded"
        elif not message:
            template = template.replace(": {message}", "")
        return f"{target}: " + template.format(
            type=error.type if error else "an exception",
            line=trace.line_words(error.line, error.file) if error else "an unknown line",
            message=message,
            code=trace.exit_code,
        )
    if not trace.tapes:
        return f"{target} created no tf.GradientTape, so there is no gradient to show"
    return ""


def _value_text(result: dict[str, Any]) -> str:
    if result.get("summary"):
        s = result["summary"]
        if s["min"] is None:
            return f"tensor of {s['size']} values, none of them finite"
        return f"tensor of {s['size']} values, min {s['min']:.4g}, max {s['max']:.4g}"
    return "None" if result["none"] else format_data(result["value"])


def _nonfinite_text(counts: dict[str, int]) -> str:
    parts = [f"{counts[k]} {k}" for k in ("nan", "inf") if counts.get(k)]
    return " and ".join(parts)


def _at(entry: dict[str, Any]) -> str:
    """``line 14``, or ``cell 3, line 2`` for a notebook's line (its ``notebook`` entry)."""
    where = entry.get("notebook")
    if not where:
        return f"line {entry['line']}"
    return (
        f"cell {where['cell']}, line {where['line']}" if where["line"] else f"cell {where['cell']}"
    )


def _evidence(entry: dict[str, Any]) -> str:
    """``evidence: lines 11, 12``; in a notebook ``evidence: cell 1, line 2; cell 2, line 1``."""
    cells = entry.get("evidence_cells")
    if cells is None:
        return f"evidence: lines {', '.join(map(str, entry['evidence_lines']))}"
    words = [
        _at({"notebook": cell, "line": line})
        for cell, line in zip(cells, entry["evidence_lines"], strict=False)
    ]
    return f"evidence: {'; '.join(words)}"


def _nonfinite_lines(nonfinite: dict[str, Any]) -> list[str]:
    lines = [f"    warning: {_nonfinite_text(nonfinite)} in this gradient"]
    if nonfinite.get("cause"):
        lines.append(f"    cause [{nonfinite['cause']}] {nonfinite['explanation']}")
        lines.append(f"    fix: {nonfinite['fix']}")
        if nonfinite["evidence_lines"]:
            lines.append(f"    {_evidence(nonfinite)}")
    return lines


def _call_lines(call: dict[str, Any]) -> list[str]:
    thread = f" · thread {call['thread']}" if call.get("thread") is not None else ""
    lines = [
        f"gradient call {call['id']} · {_at(call)} · tape {call['tape']}{thread} · "
        f"{call['method']}({call['target']}, …)"
    ]
    for note, text in zip(call["notes"], call["note_texts"], strict=False):
        lines.append(f"  note [{note}] {text}")
    if call["error"]:
        err = call["error"]
        lines.append(f"  ✗ raised {err['type']}: {err['message']}")
        if err.get("cause"):
            lines += [f"    cause [{err['cause']}] {err['explanation']}", f"    fix: {err['fix']}"]
    for result in call["results"]:
        mark = "✗" if result["cause"] else "!" if result.get("nonfinite") else "✓"
        lines.append(f"  {mark} d{call['target']}/d{result['source']} = {_value_text(result)}")
        if result.get("nonfinite"):
            lines += _nonfinite_lines(result["nonfinite"])
        if result["cause"]:
            lines.append(f"    cause [{result['cause']}] {result['explanation']}")
            lines.append(f"    fix: {result['fix']}")
            if result["evidence_lines"]:
                lines.append(f"    {_evidence(result)}")
    return lines


def _summarised_line(trace: Trace) -> str:
    return (
        f"recorded in detail: {detail_spent(trace)}; after that, tapes, gradient calls and their "
        f"values only. To record more: {BUDGET_OPTIONS}"
    )


def _function_lines(functions: dict[str, Any] | None) -> list[str]:
    """What ran inside ``tf.function``s and how, when any ran."""
    if functions is None:
        return []
    lines = []
    if functions["eager"]:
        lines.append(
            f"tf.functions ran eagerly, op by op (each call traced first, as compiled code is): "
            f"{', '.join(functions['eager'])}; --graph keeps them compiled"
        )
    if functions["compiled"]:
        graph = functions["mode"] == "compiled"
        how = "with --graph" if graph else run_by_tensorflow()
        see = "; record without --graph to see inside" if graph else ""
        lines.append(
            f"tf.functions ran compiled ({how}), each call one op: "
            f"{', '.join(functions['compiled'])}{see}"
        )
    if functions["xla"]:
        lines.append(
            f"XLA-compiled tf.functions (jit_compile=True) ran compiled, each call one op: "
            f"{', '.join(functions['xla'])}; XLA fuses their ops, so eager ops would not be XLA's"
        )
    return lines


def _ran_lines(report: dict[str, Any]) -> list[str]:
    """How it ran, when not plainly (``python -m`` and arguments), and a notebook's skips."""
    lines = []
    if "module" in report or "argv" in report:
        what = f"-m {report['module']}" if "module" in report else report["scenario"]
        args = " ".join(shlex.quote(arg) for arg in report.get("argv", []))
        if "notebook" in report:
            lines.append(f"ran with the arguments {args} (sys.argv[1:])")
        else:
            lines.append(f"ran as python {what}{' ' + args if args else ''}")
    notebook = report.get("notebook")
    if notebook:
        lines.append(f"notebook: {notebook['cells']} code cells, run in order")
        lines += [f"  note: {skipped_note(Skipped(**item))}" for item in notebook["skipped"]]
    return lines


def render_text(trace: Trace) -> str:
    with no_collector_pauses():
        return _render_text(trace)


def _render_text(trace: Trace) -> str:
    report = build_report(trace, backward_steps=False)
    lines = [f"scenario {report['scenario']} · {report['status']}", *_ran_lines(report)]
    for tape in report["tapes"]:
        flags = ["persistent" if tape["persistent"] else "non-persistent"]
        if not tape["watch_accessed_variables"]:
            flags.append("watch_accessed_variables=False")
        watched = ", ".join(tape["watched"]) or "nothing"
        if tape["not_floating"]:
            watched += f" ({', '.join(tape['not_floating'])}: not floating point, never recorded)"
        made = py_function_tape_words(trace, tape["id"])
        flags = [made, *flags] if made is not None else flags
        lines.append(f"tape {tape['id']} · {_at(tape)} · {' · '.join(flags)} · watched: {watched}")
    lines += _function_lines(report["functions"])
    if report["summarised"]:
        lines.append(_summarised_line(trace))
    for thread in report["threads_seen_late"]:
        lines.append(
            f"thread {thread} was not started through threading: its ops before its first tape "
            "were not recorded"
        )
    if report["internal_errors"]:
        count = len(report["internal_errors"])
        lines.append(
            f"tapetui's recorder met {count} error{'s' * (count != 1)} of its own; what it was "
            "recording there may be missing from the trace:"
        )
        lines += [f"  {error}" for error in report["internal_errors"]]
    for call in report["gradient_calls"]:
        lines += _call_lines(call)
    if report["error"]:
        err = report["error"]
        where = f" at {_at(err)}" if err["line"] is not None else ""
        lines.append(f"error: {err['type']}{where}: {err['message']}")
        if err.get("cause"):  # the scenario's error explained (an optimizer given no gradients)
            lines += [f"  cause [{err['cause']}] {err['explanation']}", f"  fix: {err['fix']}"]
    if not report["tapes"]:
        lines.append("no tf.GradientTape was created")
    return printable("\n".join(lines)) + "\n"
