"""Recorded values as comparable keys, to follow a value through NumPy and back by what it is."""

from __future__ import annotations

from typing import Any

from tapetui.trace.model import Tensor

Key = tuple[Any, ...]


def _number(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    return f"{float(value):.5g}"


def _flatten(data: Any) -> list[Any]:
    if isinstance(data, list):
        return [leaf for item in data for leaf in _flatten(item)]
    return [data]


def value_keys(tensor: Tensor | None, derived: bool) -> list[Key]:
    """Keys equal for the same value at float32 precision, whatever the shape of a single number.

    With ``derived``, also the keys of what NumPy typically makes of the value on its way back
    (its sum, mean, max and min), so ``tf.constant(np.mean(t.numpy()))`` links to ``t``.
    """
    if tensor is None:
        return []
    if tensor.data is None:
        summary = tensor.summary
        if summary is None:
            return []
        return [("summary", summary.size, tuple(map(_number, summary.preview)), summary.mean)]
    flat = _flatten(tensor.data)
    keys: list[Key] = [("value", tuple(map(_number, flat)))]
    numbers = [float(v) for v in flat if isinstance(v, int | float) and not isinstance(v, bool)]
    if derived and len(numbers) == len(flat) and len(flat) > 1:
        total = sum(numbers)
        for reduced in (total, total / len(numbers), max(numbers), min(numbers)):
            keys.append(("value", (_number(reduced),)))
    return keys
