"""A figure the scenario shows with ``plt.show()`` is saved as a PNG and listed in the trace."""

from __future__ import annotations

from pathlib import Path

import pytest

from tapetui.record import record

pytest.importorskip("matplotlib")

SCENARIO = """\
import matplotlib.pyplot as plt
import tensorflow as tf

x = tf.Variable(3.0)
with tf.GradientTape() as tape:
    y = x * x
print("grad", float(tape.gradient(y, x)))
plt.plot([1, 2, 3], [1, 4, 9])
plt.show()
print("after", len(plt.get_fignums()))
"""


def test_plt_show_saves_one_png_listed_in_the_trace(tmp_path: Path) -> None:
    scenario = tmp_path / "plots.py"
    scenario.write_text(SCENARIO, encoding="utf-8")
    trace = record(scenario, timeout=120)
    assert trace.status == "finished", trace.error
    figures = trace.meta["figures"]
    assert len(figures) == 1
    assert (figures[0]["line"], figures[0]["how"]) == (9, "show")
    png = Path(figures[0]["path"])
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert tmp_path not in png.parents  # not saved among the scenario's files
    assert list(tmp_path.iterdir()) == [scenario]
    # the output pane lists it where it was shown; what the scenario printed is unchanged
    assert trace.output().splitlines() == [
        "grad 6.0",
        f"[figure shown at line 9, saved as {png}]",
        "after 0",
    ]
    assert trace.output("stdout") == "grad 6.0\nafter 0\n"
    assert "non-interactive" not in trace.output("stderr")


def test_a_scenario_that_shows_nothing_lists_no_figures(tmp_path: Path) -> None:
    scenario = tmp_path / "plain.py"
    scenario.write_text("print('no plots')\n", encoding="utf-8")
    trace = record(scenario, timeout=120)
    assert trace.output() == "no plots\n"
    assert "figures" not in trace.meta


def test_a_file_savefig_writes_is_listed_where_the_scenario_put_it(tmp_path: Path) -> None:
    out = tmp_path / "plots" / "loss.png"
    out.parent.mkdir()
    scenario = tmp_path / "saves.py"
    scenario.write_text(
        f"import matplotlib.pyplot as plt\nplt.plot([1, 2], [3, 4])\nplt.savefig({str(out)!r})\n",
        encoding="utf-8",
    )
    trace = record(scenario, timeout=120)
    assert trace.meta["figures"] == [{"path": str(out), "line": 3, "how": "savefig"}]
    assert out.read_bytes()[:4] == b"\x89PNG"
    assert trace.output() == f"[figure saved at line 3 by savefig: {out}]\n"
