"""``--watch`` watches the modules of the scenario's folder that it imports even when they ran
no TensorFlow (so the trace holds no source of theirs): found by reading the import lines."""

from __future__ import annotations

from pathlib import Path

from tapetui.trace import Trace
from tapetui.ui.watch import watched_files

MAIN = """\
import tensorflow as tf

import config
from pkg import tools
from pkg.deep import leaf as _leaf

x = tf.Variable(config.START)
"""


def _folder(tmp_path: Path) -> Path:
    files = {
        "main.py": MAIN,
        "config.py": "from constants import BASE\nSTART = BASE + 1.0\n",  # no TensorFlow
        "constants.py": "BASE = 2.0\n",  # imported by config only
        "pkg/__init__.py": "",
        "pkg/tools.py": "from . import helpers\n",
        "pkg/helpers.py": "",
        "pkg/deep/__init__.py": "",
        "pkg/deep/leaf.py": "",
        "unrelated.py": "print('never imported')\n",
        "broken.py": "def (:\n",  # never imported, and not Python
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def test_imported_helpers_that_ran_no_tensorflow_are_watched(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    main = folder / "main.py"
    trace = Trace(scenario=str(main))
    trace.sources = {str(main): MAIN}  # only main.py's code ran TensorFlow
    watched = {p.relative_to(folder).as_posix() for p in watched_files(str(main), trace)}
    assert watched == {
        "main.py",
        "config.py",
        "constants.py",
        "pkg/__init__.py",
        "pkg/tools.py",
        "pkg/helpers.py",
        "pkg/deep/__init__.py",
        "pkg/deep/leaf.py",
    }


def test_a_notebook_s_imports_are_read_from_its_recorded_source(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    notebook = folder / "nb.ipynb"
    notebook.write_text("{}", encoding="utf-8")  # its cells are in the trace, not read here
    trace = Trace(scenario=str(notebook))
    trace.sources = {str(notebook): "# In [1]:\nimport config\n"}
    watched = {p.relative_to(folder).as_posix() for p in watched_files(str(notebook), trace)}
    assert watched == {"nb.ipynb", "config.py", "constants.py"}
