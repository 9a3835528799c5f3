"""The status line's sentence for a finished recording, and the output pane's lines."""

from __future__ import annotations

from pathlib import Path

from tapetui.trace import Trace
from tapetui.ui.describe import Line

_ENDINGS = {
    "exited": "the scenario exited with code {code} (SystemExit); what ran before is shown",
    "died": "the scenario's process died (exit code {code}); what ran before is shown",
    "timeout": "the scenario ran too long and was stopped; what ran before is shown",
    "cancelled": "the scenario was cancelled; what ran before is shown",
    "running": "the recording stopped early; what ran before is shown",
}


def status_text(trace: Trace, opened_at: int = 0, steps: int = 0) -> tuple[str, str]:
    """One sentence about how the recording ended, and a CSS class (``-failed`` when it went wrong),
    followed by how many errors of tapetui's own the recording met, if any.

    ``opened_at`` is the step the debugger opened on (0-based) of ``steps``: when it is not the
    first, the sentence says how many steps came before the first tape.
    """
    sentence, css = _ending(trace, opened_at, steps)
    return sentence + internal_errors_note(trace), css


def internal_errors_note(trace: Trace) -> str:
    """`` · 2 recorder errors (tapetui report lists them)`` when tapetui's recorder failed
    somewhere: what it was recording there may be missing from the trace."""
    errors = trace.meta.get("internal_errors")
    if not isinstance(errors, list) or not errors:
        return ""
    count = len(errors)
    return f" · {count} recorder error{'s' * (count != 1)} (tapetui report lists them)"


def _ending(trace: Trace, opened_at: int, steps: int) -> tuple[str, str]:
    name = Path(trace.scenario).name or "trace"
    calls, tapes = len(trace.gradient_calls), len(trace.tapes)
    counts = f"{tapes} tape{'s' * (tapes != 1)}, {calls} gradient call{'s' * (calls != 1)}"
    if trace.status == "raised" and trace.error is not None:
        error = trace.error
        where = f" {trace.on_line_words(error.line, error.file)}" if error.line is not None else ""
        return (
            f"{name} raised {trace.error.type}{where}; partial trace shown (o: output)",
            "-failed",
        )
    if trace.status == "died" and trace.error is not None:
        return f"{name}: {trace.error.message} (o: output)", "-failed"
    if trace.status in _ENDINGS and not (trace.status == "exited" and trace.exit_code == 0):
        return f"{name}: " + _ENDINGS[trace.status].format(code=trace.exit_code), "-failed"
    if not trace.tapes:
        return f"{name}: the scenario created no tape, so no gradient was recorded", "-failed"
    late = threads_note(trace)
    if late:
        return f"{name} · {counts} · {late}", "-failed"
    before = before_note(opened_at, steps)
    return f"{name}{before} · {counts}{detail_note(trace)}{function_note(trace)} · ? help", ""


def function_note(trace: Trace) -> str:
    """`` · tf.functions compiled (--graph)``, or `` · tf.functions run eagerly`` when some ran."""
    if trace.meta.get("functions") == "compiled":
        return " · tf.functions compiled (--graph)"
    if trace.meta.get("eager_functions"):
        return " · tf.functions run eagerly"
    return ""


def before_note(opened_at: int, steps: int) -> str:
    """`` · opened at step 5/27 · 4 steps before the first tape (home: step 1)``, or ""."""
    if opened_at <= 0:
        return ""
    before = f"{opened_at} step{'s' * (opened_at != 1)}"
    opened = f"opened at step {opened_at + 1}/{steps}"
    return f" · {opened} · {before} before the first tape (home: step 1)"


def threads_note(trace: Trace) -> str:
    """What the trace misses of threads not started through ``threading``, or ""."""
    late = trace.meta.get("threads_seen_late")
    if not isinstance(late, list) or not late:
        return ""
    names = ", ".join(str(n) for n in late)
    return f"ops of thread {names} before its first tape were not recorded"


def detail_note(trace: Trace) -> str:
    """`` (first 10 tapes in detail)`` when the rest of the run was recorded in summary."""
    meta = trace.meta.get("summarised")
    if not isinstance(meta, dict):
        return ""
    if meta.get("reason") == "ops":
        return f" (first {meta.get('ops_in_detail')} ops in detail)"
    return f" (first {meta.get('tapes_in_detail')} tapes in detail)"


def output_lines(trace: Trace) -> list[Line]:
    """What the scenario printed, then its traceback if it raised."""
    lines: list[Line] = [(row, "") for row in trace.output().rstrip("\n").splitlines()]
    if not lines:
        lines.append(("(the scenario printed nothing)", "dim"))
    if trace.error is not None:
        lines.append(("", ""))
        tb = trace.error.traceback.rstrip() or f"{trace.error.type}: {trace.error.message}"
        lines += [(row, "red") for row in tb.splitlines()]
    return lines
