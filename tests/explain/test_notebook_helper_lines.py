"""A notebook that imports a helper module from its folder: the why-sentences name a line of the
helper as that file's line (``line 7 of helper.py``), never as a notebook cell's, and a line of
the notebook as ``cell N, line M``."""

from __future__ import annotations

import copy

import nbformat
import pytest

from tapetui.explain.context import at, in_words_of
from tapetui.recorded import RecordedTrace
from tapetui.trace import Trace
from tapetui.trace.cells import Cell, CellMap

HELPER = '''\
"""Doubles a value, by way of NumPy."""

import tensorflow as tf


def doubled(x):
    twice = x.numpy() * 2.0  # leaves TensorFlow: the tape cannot follow it
    return tf.constant(twice)
'''

CELLS = [
    "import tensorflow as tf\n\nfrom helper import doubled",
    "x = tf.Variable(3.0)\nwith tf.GradientTape() as tape:\n    y = doubled(x)\n"
    "dy_dx = tape.gradient(y, x)\nprint(dy_dx)",
]


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> RecordedTrace:
    import tapetui

    folder = tmp_path_factory.mktemp("notebook")
    (folder / "helper.py").write_text(HELPER, encoding="utf-8")
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_markdown_cell("# a helper module")]
    notebook.cells += [nbformat.v4.new_code_cell(source) for source in CELLS]
    path = folder / "uses_helper.ipynb"
    nbformat.write(notebook, str(path))
    return tapetui.record_scenario(path, timeout=240)


def test_the_helper_line_that_left_tensorflow_is_named_as_the_helper_s(
    recorded: RecordedTrace,
) -> None:
    assert recorded.status == "finished", recorded.error
    [missing] = recorded.missing_gradients()
    assert (missing.name, missing.cause) == ("dy/dx", "left_tensorflow")
    # helper.py's line 7; the notebook's file line 7 is cell 2, line 2 (the `with` line)
    assert "`twice = x.numpy() * 2.0` (line 7 of helper.py)" in missing.sentence
    # where `y` came back is not seen (the constant is first met at the `with` line, cell 2,
    # line 2, which did not make it), so no line is made up for it
    assert "new constant `y` entered TensorFlow afterwards" in missing.sentence
    assert "cell 2, line 2" not in missing.sentence


def _notebook_trace(helper: str = "nb/helper.py") -> Trace:
    notebook = CellMap("nb/uses.ipynb", [Cell(1, 1, 3), Cell(2, 5, 5)])
    trace = Trace(scenario="nb/uses.ipynb")
    trace.notebook = notebook
    trace.sources = {"nb/uses.ipynb": "", helper: ""}
    return trace


def test_at_names_each_file_s_line_as_its_user_knows_it() -> None:
    with in_words_of(_notebook_trace()):
        assert at(7, "nb/helper.py") == "line 7 of helper.py"
        assert at(7, "nb/uses.ipynb") == at(7) == "cell 2, line 2"
        assert at(5) == "cell 2"  # a cell's header line
        assert at(None, "nb/helper.py") == "an unknown line"
    script = Trace(scenario="./demo/main.py")  # the scenario named as the user typed it
    script.sources = {"demo/main.py": "", "demo/helper.py": ""}
    with in_words_of(script):
        assert at(5, "demo/helper.py") == "line 5 of helper.py"
        assert at(5, "demo/main.py") == at(5) == "line 5"
        assert at(5, "/usr/lib/python3/somewhere.py") == "line 5"  # not one of the trace's files
    alone = copy.deepcopy(script)
    alone.sources = {"demo/main.py": ""}
    with in_words_of(alone):
        assert at(5, "demo/main.py") == "line 5"
    assert at(7, "nb/helper.py") == "line 7"  # outside any explanation: plain words
