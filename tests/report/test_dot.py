"""``tapetui graph``: the DOT it writes parses, carries the values and gradients, draws the broken
link red and dashed, survives hostile names, and Graphviz renders it where installed."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path

import pydot
import pytest

from tapetui.cli import main
from tapetui.explain.graph import GradientGraph
from tapetui.report import graph_export
from tapetui.report.dot import quote, to_dot
from tapetui.trace import Trace, load

TRACES = Path(__file__).resolve().parents[1] / "ui" / "traces"
HOSTILE = 'z1"];\n evil [label="owned"]; \\N <b>&amp;</b> \x1b]0;t\x07'


def parsed(text: str) -> pydot.Dot:
    graphs = pydot.graph_from_dot_data(text)
    assert graphs is not None and len(graphs) == 1
    return graphs[0]


def labels(graph: pydot.Dot) -> list[str]:
    return [n.get_label() for n in graph.get_nodes() if n.get_label() is not None]


def test_persistent_dot_parses_with_values_and_gradients() -> None:
    trace = load(TRACES / "persistent.json")
    dot = parsed(to_dot(GradientGraph(trace, 1)))
    texts = labels(dot)
    assert any("z1 · Mul" in t and "= 16.0" in t for t in texts)
    assert any(t.startswith('"x') and "∂ 8.0 = 4.0 + 4.0" in t for t in texts)
    edge_labels = [e.get_label() for e in dot.get_edges()]
    assert edge_labels.count('"grad 4.0"') == 2


def test_the_broken_link_of_a_none_is_red_dashed_with_its_code() -> None:
    trace = load(TRACES / "none_cases.json")
    dot = parsed(to_dot(GradientGraph(trace, 1)))
    broken = [e for e in dot.get_edges() if "outside_tape" in (e.get_label() or "")]
    assert len(broken) == 2  # y1 = x * x: both uses of x
    for edge in broken:
        assert edge.get("color") == '"red"' and edge.get("style") == '"dashed"'


def test_a_hostile_name_stays_one_label() -> None:
    trace: Trace = copy.deepcopy(load(TRACES / "persistent.json"))
    z1 = next(t for t in trace.tensors.values() if t.name == "z1")
    z1.name = HOSTILE
    text = to_dot(GradientGraph(trace, 1))
    dot = parsed(text)
    names = [n.get_name() for n in dot.get_nodes() if n.get_name() not in ("node", "edge")]
    assert names == ["n15", "n11", "n14", "n3"]
    assert "evil" not in [n.get_name() for n in dot.get_nodes()]
    assert "\x1b" not in text and "\x07" not in text
    label = next(t for t in labels(dot) if "owned" in t)
    assert '\\"];' in label and "\\\\N" in label  # the quote and backslash escaped


def test_quote_escapes_backslash_quote_and_line_breaks() -> None:
    assert quote('a"b\\c\nd') == '"a\\"b\\\\c␊d"'
    assert quote("<x>") == '"<x>"'  # a quoted string is never an HTML label


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
def test_svg_through_graphviz(tmp_path: Path) -> None:
    out = tmp_path / "g.svg"
    assert main(["graph", str(TRACES / "persistent.json"), "-o", str(out)]) == 0
    svg = out.read_text(encoding="utf-8")
    assert svg.lstrip().startswith("<?xml") and "z1 · Mul" in svg and "grad 4.0" in svg


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
def test_a_hostile_name_renders_as_text_in_the_svg(tmp_path: Path) -> None:
    trace: Trace = copy.deepcopy(load(TRACES / "persistent.json"))
    next(t for t in trace.tensors.values() if t.name == "z1").name = HOSTILE
    out = tmp_path / "g.svg"
    graph_export.write_graph(GradientGraph(trace, 1), out)
    svg = out.read_text(encoding="utf-8")
    assert "&lt;b&gt;" in svg and "<b>" not in svg


def test_without_graphviz_svg_is_one_sentence_and_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(shutil, "which", lambda _: None)
    code = main(["graph", str(TRACES / "persistent.json"), "-o", str(tmp_path / "g.svg")])
    err = capsys.readouterr().err
    assert code == 2
    assert "apt-get install graphviz" in err and "brew install graphviz" in err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "g.svg").exists()


def test_dot_needs_no_graphviz(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda _: None)
    out = tmp_path / "g.dot"
    assert main(["graph", str(TRACES / "none_cases.json"), "--call", "1", "-o", str(out)]) == 0
    assert "outside_tape" in out.read_text(encoding="utf-8")


@pytest.mark.parametrize("call", ["3", "0", "-1"])
def test_a_bad_call_is_one_sentence_and_exit_2(
    tmp_path: Path, call: str, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "g.dot"
    code = main(["graph", str(TRACES / "persistent.json"), "--call", call, "-o", str(out)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith(f"tapetui: --call {call}: persistent.py has no such gradient call")
    assert len(err.strip().splitlines()) == 1


def test_a_trace_without_gradient_calls_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["graph", str(TRACES / "no_tape.json"), "-o", str(tmp_path / "g.dot")])
    assert code == 2
    assert "has no gradient call to draw" in capsys.readouterr().err
