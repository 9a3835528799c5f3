"""The words of a gradient graph's nodes and edges, shared by the graph view and the DOT export."""

from __future__ import annotations

from collections.abc import Container

from tapetui.explain.graph import Edge, GradientGraph, Node

FOLDED = "⋯ folded: not on a path to a source"


def title(node: Node, graph: GradientGraph, collapsed: Container[str] = ()) -> str:
    """``z1 · Mul · l.13``; a collapsed Keras layer reads ``dense_1 · layer of 3 ops · l.25``."""
    parts = [node.label]
    if node.layer is not None and node.layer in collapsed:
        ops = graph.layer_ops(node.key)
        parts = [node.layer, f"layer: {' · '.join(o.function or o.op_type for o in ops)}"]
    elif node.op_type is not None:
        parts.append(node.op_type)
    if node.line is not None:
        parts.append(f"l.{node.line}")
    return " · ".join(parts)


def role(node: Node) -> str | None:
    """``target``, ``source (auto on access, l.13)``, ``source, not watched``, or ``None``."""
    if node.target:
        return "target"
    if not node.source:
        return None
    if node.watched is None:
        return "source, not watched"
    return f"source ({node.watched.words})"


def gradient(node: Node) -> str | None:
    """``∂ 8.0 = 4.0 + 4.0`` where contributions were summed, ``∂ 1.0``, ``∂ None``."""
    if node.contributions and node.gradient is not None:
        return f"∂ {node.gradient} = " + " + ".join(node.contributions)
    if node.gradient is not None:
        return f"∂ {node.gradient}"
    return "∂ None" if node.source else None


def broken(node: Node) -> str | None:
    """``✗ outside_tape`` for a source without gradient."""
    return f"✗ None: {node.broken.code}" if node.broken is not None else None


def edge_words(edge: Edge) -> str:
    """What flowed back along an edge: ``grad 4.0``, ``✗ outside_tape``, ``no gradient``."""
    if edge.broken is not None:
        return f"✗ {edge.broken.code}"
    return f"grad {edge.gradient}" if edge.gradient is not None else "no gradient"
