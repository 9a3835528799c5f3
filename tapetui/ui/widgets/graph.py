"""The graph view: one gradient call's computation graph as an expandable tree, target at the top.

A tree rather than a layered box drawing: each node keeps one whole line for its name, op, line,
value and gradient at any width; a node's inputs are made only when it is expanded, so a call
over 100,000 ops opens at once; a tensor used twice is drawn once and referred to after
(``→ see x above``), with the gradient of each use on its own edge.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from tapetui.explain.graph import Edge, GradientGraph, Node
from tapetui.explain.graph_words import FOLDED, broken, edge_words, gradient, role, title
from tapetui.ui.literal import append_literal

OPEN_LINES = 400
"""Lines expanded when the graph opens; deeper nodes are made when the user expands them."""
OPEN_DEPTH = 16
"""Levels expanded when the graph opens (a deep chain of ops opens its first 16)."""


HELP = [
    ("↑ / ↓", "move through the nodes (the source and step panes follow)"),
    ("→ / ←", "expand / collapse a node"),
    ("enter, click", "go to the node's forward op"),
    ("b", "go to its backward step"),
    ("c", "collapse the node's Keras layer into one node (again: expand it)"),
    ("l / h", "scroll right / left: a long line's end"),
    ("d / esc", "back to the debugger"),
]
"""The graph's keys as the help screen lists them."""


@dataclass(frozen=True)
class AllLayersBut:
    """The Keras layers drawn collapsed: every one but the ``opened`` ones."""

    opened: frozenset[str]

    def __contains__(self, layer: object) -> bool:
        return layer not in self.opened


@dataclass(frozen=True)
class GraphItem:
    """What one line of the tree stands for."""

    key: int
    edge: Edge | None = None
    """The edge from the parent line's node, with the gradient that flowed along it."""
    reference: bool = False
    """A node drawn before: this line refers to it."""
    note: bool = False
    """A line of words (a cause) rather than a node."""


class GraphView(Tree[GraphItem]):
    """The tree of one gradient call's graph.

    | Key | Action |
    | :- | :- |
    | up / down | move through the nodes (the source and step panes follow) |
    | right / left | expand / collapse a node |
    | l / h | scroll right / left (a long line's end), half the pane's width a press |
    | enter, click | jump to the node's forward op |
    | b | jump to its backward step |
    | c | collapse the node's Keras layer into one node (again: expand it) |
    | d / escape | back to the debugger |
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("b", "backward", "Bwd", tooltip="jump to the node's backward step"),
        Binding("c", "layer", "Layer", tooltip="collapse or expand the node's Keras layer"),
        Binding("right", "expand", "Expand", show=False, tooltip="expand the node"),
        Binding("left", "collapse", "Collapse", show=False, tooltip="collapse the node"),
        Binding("d,escape", "close", "Back", tooltip="back to the debugger"),
        Binding(
            "l",
            "scroll_across(1)",
            "Scroll",
            key_display="h/l",
            tooltip="scroll left (h) or right (l): a long line's end",
        ),
        Binding("h", "scroll_across(-1)", "Scroll left", show=False, tooltip="scroll left"),
    ]

    DEFAULT_CSS = """
    GraphView { width: 40%; height: 1fr; border: round $accent; }
    """

    class Moved(Message):
        """The cursor is on a node: show its forward op (``seq`` of the event)."""

        def __init__(self, seq: int | None) -> None:
            super().__init__()
            self.seq = seq

    class Jump(Message):
        """Go to this step (a node's forward op or backward step) and leave the graph."""

        def __init__(self, seq: int | None, what: str) -> None:
            super().__init__()
            self.seq = seq
            self.what = what

    class Closed(Message):
        """Back to the debugger where it was."""

    def __init__(self, graph: GradientGraph, heading: str, *, id: str | None = None) -> None:
        super().__init__(Text(heading), id=id)
        self.graph = graph
        self.collapsed = AllLayersBut(frozenset())
        """The Keras layers drawn as one node: all but those ``c`` opened."""
        self.auto_expand = False
        self.show_root = False
        self.guide_depth = 3
        self._drawn: dict[int, TreeNode[GraphItem]] = {}
        self._filled: set[int] = set()

    def on_mount(self) -> None:
        self.redraw()

    # drawing -----------------------------------------------------------------------------------

    def draw(self, graph: GradientGraph, heading: str) -> None:
        """Draw another graph (the same call, recorded again) in place of this one."""
        self.graph = graph
        self.root.set_label(Text(heading))
        self.redraw()

    def redraw(self, keep: int | None = None) -> None:
        """Draw the roots and open the nodes on a path, breadth first, up to OPEN_LINES; the
        cursor goes on node ``keep`` where it is drawn."""
        self.clear()
        self._drawn.clear()
        self._filled.clear()
        todo = [(self._add(self.root, key, None), 1) for key in self.graph.roots]
        lines = len(todo)
        while todo and lines < OPEN_LINES:
            line, depth = todo.pop(0)
            if line.data is None or not self.graph.node(line.data.key).on_path:
                continue
            added = self._fill(line)
            line.expand()
            lines += len(added)
            if depth < OPEN_DEPTH:
                todo += [(a, depth + 1) for a in added if a.allow_expand]
        self.root.expand()
        kept = self._drawn.get(keep) if keep is not None else None
        # a node's line is known once the tree has laid its lines out again
        first = self.root.children[0] if self.root.children else None
        self.call_after_refresh(self.move_cursor, kept or first)

    def _add(self, parent: TreeNode[GraphItem], key: int, edge: Edge | None) -> TreeNode[GraphItem]:
        node = self.graph.node(key)
        seen = key in self._drawn
        item = GraphItem(key, edge, reference=seen)
        label = self._label(node, edge, seen)
        expandable = not seen and (
            bool(self.graph.children(key, self.collapsed)) or _has_note(node)
        )
        line = parent.add(label, item, allow_expand=expandable)
        if not seen:
            self._drawn[key] = line
        return line

    def _fill(self, line: TreeNode[GraphItem]) -> list[TreeNode[GraphItem]]:
        """Make a line's children (once): its inputs, and the words of a cause."""
        if line.data is None or line.id in self._filled:
            return []
        self._filled.add(line.id)
        node = self.graph.node(line.data.key)
        added = [self._add(line, e.child, e) for e in self.graph.children(node.key, self.collapsed)]
        if _has_note(node):
            assert node.broken is not None
            note = Text()
            append_literal(note, f"{node.broken.code}: {node.broken.sentence}", "yellow")
            added.append(line.add_leaf(note, GraphItem(node.key, note=True)))
        return added

    def _label(self, node: Node, edge: Edge | None, seen: bool) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        style = "bold" if node.target else "green" if node.source else ""
        if node.broken is not None:
            style = "bold red"
        shown = title(node, self.graph, self.collapsed)
        append_literal(text, shown, style or ("" if node.on_path else "dim"))
        if not seen:
            append_literal(text, f" = {node.value}", "" if node.on_path else "dim")
        if edge is not None:
            style = "bold red" if edge.broken else ("dim" if edge.gradient is None else "blue")
            text.append("  ◂ ", style)
            append_literal(text, edge_words(edge), style)
        if seen:
            append_literal(text, f"  → see {node.label} above", "dim")
            return text
        for words, style in _facts(node):
            text.append("  ")
            append_literal(text, words, style)
        return text

    # keys and mouse ----------------------------------------------------------------------------

    def on_tree_node_expanded(self, event: Tree.NodeExpanded[GraphItem]) -> None:
        event.stop()
        self._fill(event.node)

    def on_tree_node_highlighted(self, event: Tree.NodeHighlighted[GraphItem]) -> None:
        event.stop()
        item = event.node.data
        if item is not None:
            self.post_message(self.Moved(self.graph.node(item.key).forward_seq))

    def on_tree_node_selected(self, event: Tree.NodeSelected[GraphItem]) -> None:
        """Enter or a click on a node: its forward op."""
        event.stop()
        item = event.node.data
        if item is not None:
            self.post_message(self.Jump(self.graph.node(item.key).forward_seq, "forward op"))

    def action_backward(self) -> None:
        item = self.cursor_node.data if self.cursor_node is not None else None
        if item is not None:
            self.post_message(self.Jump(self.graph.node(item.key).backward_seq, "backward step"))

    def action_expand(self) -> None:
        if self.cursor_node is not None and self.cursor_node.allow_expand:
            self.cursor_node.expand()

    def action_collapse(self) -> None:
        line = self.cursor_node
        if line is None:
            return
        if line.is_expanded:
            line.collapse()
        elif line.parent is not None and line.parent is not self.root:
            self.move_cursor(line.parent)

    def action_scroll_across(self, direction: int) -> None:
        """Half the pane's width to the right (1) or left (-1): a long line's end is reachable."""
        step = max(1, self.scrollable_content_region.width // 2)
        self.scroll_relative(x=direction * step, animate=False)

    def action_layer(self) -> None:
        """Collapse the Keras layer of the node under the cursor into one node, or expand it."""
        item = self.cursor_node.data if self.cursor_node is not None else None
        layer = self.graph.node(item.key).layer if item is not None else None
        if layer is None:
            self.notify("this node is in no Keras layer", timeout=2)
            return
        self.collapsed = AllLayersBut(self.collapsed.opened ^ {layer})
        self.redraw(keep=item.key if item is not None else None)

    def action_close(self) -> None:
        self.post_message(self.Closed())


def _has_note(node: Node) -> bool:
    return node.broken is not None and node.source


def _facts(node: Node) -> list[tuple[str, str]]:
    facts = [(gradient(node), "magenta"), (role(node), "green"), (broken(node), "bold red")]
    shown = [(words, style) for words, style in facts if words]
    if not node.recorded:
        shown.append(("not recorded", "yellow"))
    if not node.on_path:
        shown.append((FOLDED, "dim"))
    return shown
