"""The report over damaged traces: whatever the loader accepts is reported, never a crash."""

from __future__ import annotations

import json
import os
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tapetui.report import render_json, render_text

from ..mutations import base, load_or_refuse, mutated

BASES = {
    name: base(name)
    for name in ("basic", "frozen_variable", "none_cases", "persistent", "raises", "stop_recording")
}


@pytest.mark.parametrize("name", sorted(BASES))
@settings(
    max_examples=int(os.environ.get("TAPETUI_FUZZ_EXAMPLES", "100")),
    deadline=None,
    derandomize=os.environ.get("TAPETUI_FUZZ_EXAMPLES") is None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_a_damaged_trace_is_reported_or_refused(name: str, data: st.DataObject) -> None:
    damaged: dict[str, Any] = data.draw(mutated(BASES[name]))
    trace = load_or_refuse(damaged)
    if trace is None:
        return
    text = render_text(trace)
    assert text.startswith("scenario ")
    report = json.loads(render_json(trace))
    assert report["status"] == trace.status
