"""What ``tapetui graph`` does between its arguments and the file: check, pick the call, draw."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tapetui.explain.graph import GradientGraph
from tapetui.report.dot import FORMATS, MISSING_DOT, GraphvizMissing, choose_call, write_graph
from tapetui.trace.model import Trace


def format_problem(out: Path) -> str | None:
    """Why ``out`` cannot be written as a graph, before anything is recorded."""
    suffix = out.suffix.lower()
    if suffix not in FORMATS:
        return f"-o {out.name}: give a file ending in {', '.join(FORMATS)}"
    return None


def export(out: Path, call: int | None, obtain: Callable[[], Trace]) -> str | None:
    """Write the graph of gradient call ``call`` of the trace ``obtain`` gives; the sentence
    saying why not (bad ``--call``, no Graphviz), or ``None`` once written."""
    problem = format_problem(out)
    if problem is None and out.suffix.lower() in (".svg", ".png"):
        problem = _graphviz_problem(out)
    if problem is not None:
        return problem
    trace = obtain()
    try:
        chosen = choose_call(
            sorted(trace.gradient_calls), call, Path(trace.scenario).name or "the trace"
        )
        write_graph(GradientGraph(trace, chosen), out)
    except (ValueError, GraphvizMissing, OSError) as exc:
        return str(exc)
    return None


def _graphviz_problem(out: Path) -> str | None:
    import shutil

    if shutil.which("dot") is None:
        return MISSING_DOT.format(suffix=out.suffix.lower())
    return None
