"""The op's library frame and Keras layer, and the optimizer's missing gradients, in the JSON."""

from __future__ import annotations

import json

from tapetui.trace.events import MissingGradientsEvent, OpEvent
from tapetui.trace.jsonio import dumps, trace_from_dict
from tapetui.trace.model import Trace

DENSE = "keras/src/layers/core/dense.py:222 · Dense.call"


def _trace() -> Trace:
    trace = Trace("fit.py", status="finished")
    trace.events = [
        OpEvent(0, "fit.py", 17, op=1, op_type="MatMul", library=DENSE, layer="dense_1"),
        OpEvent(1, "fit.py", 17, op=2, op_type="AddV2"),
        MissingGradientsEvent(2, "fit.py", 17, call=1, variables=[5, 6], gradients=[None, 9]),
    ]
    trace.reindex()
    return trace


def test_library_frame_layer_and_missing_gradients_survive_a_round_trip() -> None:
    loaded = trace_from_dict(json.loads(dumps(_trace())))
    first, second, missing = loaded.events
    assert isinstance(first, OpEvent) and (first.library, first.layer) == (DENSE, "dense_1")
    assert isinstance(second, OpEvent) and (second.library, second.layer) == (None, None)
    assert missing == _trace().events[2]


def test_a_trace_written_before_these_fields_still_loads() -> None:
    data = json.loads(dumps(_trace()))
    data["events"]["order"] = data["events"]["order"][:2]
    data["events"]["tables"] = data["events"]["tables"][:1]
    ops = data["events"]["tables"][0]
    for name in ("library", "layer"):
        index = ops["fields"].index(name)
        del ops["fields"][index], ops["columns"][index]
    loaded = trace_from_dict(data)
    assert [(e.library, e.layer) for e in loaded.events if isinstance(e, OpEvent)] == [
        (None, None)
    ] * 2
