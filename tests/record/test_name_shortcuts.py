"""The name scanner's shortcuts find what reading every binding at every op finds: a script that
keeps tensors and variables in lists, changes the lists' items in place (no name is bound), and
rebinds names in a loop, recorded both ways in one child process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.record.conftest import ROOT, plain_env

SCENARIO = """
import tensorflow as tf

w1 = tf.Variable(1.0, name="w1")
w2 = tf.Variable(2.0, name="w2")
params = [w1, w2]
outs = [w1 * 2.0, w2 * 3.0]
for step in range(3):
    with tf.GradientTape() as tape:
        loss = params[0] * params[1] + outs[0]
    grads = tape.gradient(loss, params)
    outs[0] = grads[0] + 1.0
    outs.append(grads[1] * 4.0)
    last = outs[-1] - 1.0
    params[1] = tf.Variable(float(step) + 5.0, name=f"v{step}")
pair = (outs[0], outs[1])
total = pair[0] + pair[1]
many = [w1 * float(i) for i in range(20)]  # too long to look into
few = many[:2]
many = [few[1] + 1.0, total * 2.0]  # short again: its items are named
product = many[0] * many[1]
"""

DRIVER = """
import io, json, sys
from tapetui.record.budget import Budget
from tapetui.record.names import NameScanner
from tapetui.record.runner import record_file
from tapetui.trace.stream import RecordWriter, iter_records, trace_from_records
from tapetui.trace.events import OpEvent
from tapetui.trace.labels import label

def names():
    out = io.StringIO()
    writer = RecordWriter(out)
    try:
        record_file(sys.argv[1], writer, budget=Budget(tapes=0, ops=0))
    finally:
        writer.close()
    trace = trace_from_records(iter_records(out.getvalue().splitlines(keepends=True)))
    ops = [e for e in trace.events if type(e) is OpEvent]
    return [[op.line, op.op_type, [label(trace, ref) for ref in op.outputs]] for op in ops]

shortcuts = names()
NameScanner.maybe_scan = NameScanner.scan  # every binding, at every op
print(json.dumps([shortcuts, names()]))
"""


def test_list_items_changed_in_place_are_named_as_a_full_read_names_them(tmp_path: Path) -> None:
    scenario = tmp_path / "lists.py"
    scenario.write_text(SCENARIO)
    done = subprocess.run(
        [sys.executable, "-c", DRIVER, str(scenario)],
        cwd=ROOT,
        env=plain_env(),
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    shortcuts, full = json.loads(done.stdout.splitlines()[-1])
    assert shortcuts == full
    assert len(full) > 30  # every op of every step, in the same order
    labels = {name for _, _, outputs in full for name in outputs}
    assert {"outs[0]", "grads[1]", "last", "total"} <= labels
