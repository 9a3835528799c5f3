"""No module of tapetui imports itself back, through any chain of imports.

Every import statement counts, at module level or inside a function (a function-level import is
a cycle put off until the call, not a cycle broken). Imports under ``if TYPE_CHECKING:`` do not
count: they never run, so they cannot meet a half-initialised module, and they only tell the
type checker what a name is. Importing a submodule runs its package's ``__init__`` first; that
implicit edge is not counted either (every package would otherwise be a cycle with its own
submodules).
"""

from __future__ import annotations

import ast
import itertools
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

Edge = tuple[str, str, int]
"""An import: the importing module, the module imported, and the line of the import."""


def modules(package: Path) -> dict[str, Path]:
    """Every module of the package at ``package`` by its dotted name."""
    found = {}
    for path in sorted(package.rglob("*.py")):
        parts = path.relative_to(package.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _statements(tree: ast.AST) -> list[ast.stmt]:
    """Every import statement that can run: at any depth, except under ``if TYPE_CHECKING:``
    (its ``else:`` runs, and counts)."""
    found: list[ast.stmt] = []
    todo: list[ast.AST] = [tree]
    while todo:
        node = todo.pop()
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            todo.extend(node.orelse)
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found.append(node)
        todo.extend(ast.iter_child_nodes(node))
    return found


def _base(node: ast.ImportFrom, here: str, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    parts = here.split(".")
    keep = len(parts) - node.level + (1 if is_package else 0)
    return ".".join(parts[:keep] + ([node.module] if node.module else []))


def imports(known: dict[str, Path]) -> list[Edge]:
    """Every import from one of ``known`` modules of another."""
    edges: list[Edge] = []
    for here, path in known.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in _statements(tree):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                base = _base(node, here, path.name == "__init__.py")
                targets = [
                    f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names
                ]
            edges += [(here, t, node.lineno) for t in targets if t in known and t != here]
    return edges


def cycles(edges: list[Edge]) -> list[list[Edge]]:
    """One cycle through each group of modules that import each other, as its imports."""
    graph: dict[str, dict[str, int]] = {}
    for source, target, line in edges:
        graph.setdefault(source, {}).setdefault(target, line)
        graph.setdefault(target, {})
    found = []
    for group in _strongly_connected(graph):
        if len(group) > 1:
            found.append(_cycle_in(graph, group))
    return found


def _strongly_connected(graph: dict[str, dict[str, int]]) -> list[set[str]]:
    """Tarjan's algorithm, iteratively (a deep package must not hit the recursion limit)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    group = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.add(member)
                        if member == node:
                            break
                    groups.append(group)
            elif child not in index:
                index[child] = low[child] = len(index)
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(sorted(graph[child]))))
            elif child in on_stack:
                low[node] = min(low[node], index[child])
    return groups


def _cycle_in(graph: dict[str, dict[str, int]], group: set[str]) -> list[Edge]:
    """A shortest cycle through the group's first module, found breadth-first."""
    start = min(group)
    came: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for child in sorted(graph[node]):
                if child not in group:
                    continue
                if child == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(came[path[-1]])
                    path.reverse()
                    path.append(start)
                    return [(a, b, graph[a][b]) for a, b in itertools.pairwise(path)]
                if child not in came:
                    came[child] = node
                    following.append(child)
        frontier = following
    raise AssertionError(f"no cycle in {sorted(group)}")


def describe(cycle: list[Edge]) -> str:
    """``a (line 3) -> b (line 9) -> a``: each module, and the line of its import of the next."""
    steps = [f"{source} (line {line})" for source, _, line in cycle]
    return " -> ".join([*steps, cycle[-1][1]])


def test_tapetui_has_no_import_cycle() -> None:
    found = cycles(imports(modules(ROOT / "tapetui")))
    assert not found, "import cycles:\n" + "\n".join(describe(c) for c in found)


def _package(tmp_path: Path, files: dict[str, str]) -> dict[str, Path]:
    for name, text in files.items():
        path = tmp_path / "pkg" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return modules(tmp_path / "pkg")


def test_a_cycle_through_a_function_level_import_is_named(tmp_path: Path) -> None:
    known = _package(
        tmp_path,
        {
            "__init__.py": "",
            "hooks.py": "def stop():\n    from pkg import steps\n",
            "steps.py": "from pkg.leaves import describe\n",
            "leaves.py": "\n\nfrom . import hooks\n",
        },
    )
    (cycle,) = cycles(imports(known))
    assert describe(cycle) == (
        "pkg.hooks (line 2) -> pkg.steps (line 1) -> pkg.leaves (line 3) -> pkg.hooks"
    )


@pytest.mark.parametrize("guard", ["TYPE_CHECKING", "typing.TYPE_CHECKING"])
def test_an_import_only_the_type_checker_sees_is_no_cycle(tmp_path: Path, guard: str) -> None:
    known = _package(
        tmp_path,
        {
            "__init__.py": "",
            "book.py": f"import typing\nif {guard}:\n    from pkg.hub import Hub\n",
            "hub.py": "from pkg import book\n",
        },
    )
    assert cycles(imports(known)) == []
