"""Capture a tensor's value for the trace: small values whole, large ones as a capped summary."""

from __future__ import annotations

from typing import Any

import numpy as np

from tapetui.trace.jsonio import encode_float
from tapetui.trace.model import ValueSummary

VALUE_BUDGET = 64
"""Tensors with at most this many elements are stored whole; larger ones as a summary."""
PREVIEW = 8


def _scalar(x: Any) -> Any:
    if isinstance(x, (bytes, np.bytes_)):
        return bytes(x).decode("utf-8", errors="replace")
    if isinstance(x, (bool, np.bool_)):
        return bool(x)
    if isinstance(x, (int, np.integer)):
        return int(x)
    if isinstance(x, (float, np.floating)):
        return encode_float(float(x))
    if isinstance(x, (complex, np.complexfloating)):
        return [encode_float(float(x.real)), encode_float(float(x.imag))]
    return str(x)


def _nested(array: np.ndarray) -> Any:
    if array.ndim == 0:
        return _scalar(array.item() if array.dtype.kind not in "SU" else array[()])
    return [_nested(a) for a in array]


def _summary(array: np.ndarray) -> ValueSummary:
    flat = array.reshape(-1)
    preview = [_nested(np.asarray(x)) for x in flat[:PREVIEW]]
    summary = ValueSummary(size=int(flat.size), preview=preview)
    if array.dtype.kind in "fiub" and flat.size:
        values = flat.astype(np.float64)
        finite = values[np.isfinite(values)]
        summary.nan = int(np.isnan(values).sum())
        summary.inf = int(np.isinf(values).sum())
        if finite.size:
            summary.min = float(finite.min())
            summary.max = float(finite.max())
            summary.mean = float(finite.mean())
    return summary


def capture(value: Any, budget: int = VALUE_BUDGET) -> tuple[Any, ValueSummary | None]:
    """``(data, None)`` for a value of at most ``budget`` elements, else ``(None, summary)``."""
    array = np.asarray(value)
    if array.size <= budget:
        return _nested(array), None
    return None, _summary(array)
