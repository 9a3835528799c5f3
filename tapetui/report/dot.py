"""``tapetui graph``: one gradient call's computation graph as Graphviz DOT, and SVG/PNG through
Graphviz's ``dot`` program.

Values on the nodes, the gradients of the real backward pass on the edges (drawn forward, from
input to consumer), a Keras layer as a cluster, the broken link of a ``None`` red and dashed with
its cause code. Every string from the trace is quoted and escaped by DOT's rules (``\\`` and
``"`` escaped, line breaks only where tapetui puts them, control characters made visible), so a
hostile name can neither break the file nor add to it.
"""

from __future__ import annotations

import shutil
import subprocess
import textwrap
from pathlib import Path

from tapetui.explain.graph import Edge, GradientGraph, Node
from tapetui.explain.graph_words import FOLDED, broken, edge_words, gradient, role, title
from tapetui.trace.labels import structure_label
from tapetui.trace.printable import printable_line

FORMATS = (".dot", ".gv", ".svg", ".png")
"""The output files ``tapetui graph`` writes, by suffix."""
MISSING_DOT = (
    "Graphviz's dot program is not installed, so {suffix} cannot be written "
    "(apt-get install graphviz, or brew install graphviz; .dot needs no Graphviz)"
)
SENTENCE_WIDTH = 48
"""Characters per line of a cause's sentence on a node."""
MAX_EDGES = 5000
"""Edges drawn at most: a bigger graph is cut (Graphviz would take minutes to lay it out)."""


class GraphvizMissing(Exception):
    """``dot`` is not on ``PATH``."""


def quote(text: str) -> str:
    """A DOT quoted string holding ``text`` literally (one line: line breaks shown as ``␊``)."""
    safe = printable_line(text).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{safe}"'


def _label(lines: list[str]) -> str:
    """Several lines, each escaped, joined by DOT's centred line break."""
    return "\\n".join(quote(line)[1:-1] for line in lines)


def _node_lines(graph: GradientGraph, node: Node) -> list[str]:
    lines = [title(node, graph), f"= {node.value}"]
    lines += [t for t in (gradient(node), role(node), broken(node)) if t]
    if node.broken is not None:
        lines += textwrap.wrap(node.broken.sentence, SENTENCE_WIDTH)
    if not node.recorded:
        lines.append("not recorded by the tape")
    if not node.on_path:
        lines.append(FOLDED)
    return lines


def _node_style(node: Node) -> str:
    if node.broken is not None:
        return 'color="red", fontcolor="red", style="rounded,dashed"'
    if node.target:
        return 'style="rounded,bold,filled", fillcolor="#dbe9ff"'
    if node.source:
        return 'style="rounded,filled", fillcolor="#e3f6e3"'
    if not node.on_path:
        return 'style="rounded,dashed", color="gray55", fontcolor="gray40"'
    return 'style="rounded"'


def _edge_line(edge: Edge) -> str:
    words = quote(edge_words(edge))
    if edge.broken is not None:
        style = 'color="red", fontcolor="red", style="dashed", penwidth=2'
    elif edge.gradient is None:
        style = 'color="gray55", fontcolor="gray40"'
    else:
        style = 'color="#3b6fb6", fontcolor="#3b6fb6"'
    return f"  n{edge.child} -> n{edge.parent} [label={words}, {style}];"


def to_dot(graph: GradientGraph) -> str:
    """The graph of one gradient call as a DOT digraph."""
    edges = graph.walk(limit=MAX_EDGES)
    keys = list(dict.fromkeys([*graph.roots, *(k for e in edges for k in (e.parent, e.child))]))
    call = graph.call
    asked = f"d{structure_label(graph.trace, call.target)}/d{structure_label(graph.trace, call.sources)}"
    where = f", line {call.line}" if call.line else ""
    head = f"{asked} (call {call.id}{where})"
    out = [
        "digraph gradient {",
        "  rankdir=LR;",
        f"  label={quote(head)}; labelloc=t;",
        '  node [shape=box, fontname="Helvetica", fontsize=11];',
        '  edge [fontname="Helvetica", fontsize=10];',
    ]
    layers: dict[str, list[str]] = {}
    for key in keys:
        node = graph.node(key)
        line = f'  n{key} [label="{_label(_node_lines(graph, node))}", {_node_style(node)}];'
        layers.setdefault(node.layer or "", []).append(line)
    out += layers.pop("", [])
    for number, (layer, lines) in enumerate(layers.items()):
        out.append(f"  subgraph cluster_{number} {{")
        out.append(f'    label={quote("layer " + layer)}; style="rounded"; color="gray60";')
        out += ["  " + line for line in lines]
        out.append("  }")
    out += [_edge_line(edge) for edge in edges]
    if len(edges) >= MAX_EDGES:
        out.append(f"  cut [label={quote(f'… cut at {MAX_EDGES} edges')}, shape=plaintext];")
    out.append("}")
    return "\n".join(out) + "\n"


def write_graph(graph: GradientGraph, out: Path) -> None:
    """Write DOT, or SVG/PNG rendered by Graphviz's ``dot`` (``GraphvizMissing`` without it)."""
    text = to_dot(graph)
    suffix = out.suffix.lower()
    if suffix in (".dot", ".gv"):
        out.write_text(text, encoding="utf-8")
        return
    program = shutil.which("dot")
    if program is None:
        raise GraphvizMissing(MISSING_DOT.format(suffix=suffix))
    done = subprocess.run(
        [program, f"-T{suffix[1:]}", "-o", str(out)],
        input=text.encode("utf-8"),
        capture_output=True,
        timeout=120,
        check=False,
    )
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise OSError(f"dot failed: {message[0] if message else done.returncode}")


def choose_call(trace_calls: list[int], wanted: int | None, name: str) -> int:
    """The gradient call to draw (the first one by default); ``ValueError`` says why not."""
    if not trace_calls:
        raise ValueError(f"{name} has no gradient call to draw")
    if wanted is None:
        return trace_calls[0]
    if wanted not in trace_calls:
        ids = ", ".join(map(str, trace_calls[:10])) + (", …" if len(trace_calls) > 10 else "")
        raise ValueError(f"--call {wanted}: {name} has no such gradient call (its calls: {ids})")
    return wanted
