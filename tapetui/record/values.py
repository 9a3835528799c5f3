"""Capture a tensor's value for the trace: small values whole, large ones as a capped summary.

Runs for every op output, so the common case (a small float or int tensor) takes one
``tolist()``; a large tensor's statistics are computed a chunk at a time, so a summary of a
100-million-element tensor costs a few MB, not a float64 copy of it.
"""

from __future__ import annotations

import math
import sys
from typing import Any

import numpy as np

from tapetui.record.budget import ELEMENTS, PREVIEW
from tapetui.trace.encode import floats_text, value_text, write_held
from tapetui.trace.jsonio import encode_float
from tapetui.trace.model import ValueSummary
from tapetui.trace.packed import LEAST, packed_doubles

VALUE_BUDGET = ELEMENTS
"""Tensors with at most this many elements are stored whole; larger ones as a summary."""
CHUNK = 1 << 20
"""Elements looked at a time for a summary's statistics (a few MB of temporaries at most)."""


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
    return [_nested(np.asarray(a)) for a in array]


def _whole(array: np.ndarray) -> Any:
    """The value as nested lists: ``tolist()`` where it already gives what ``_nested`` would."""
    kind = array.dtype.kind
    if kind in "biu":
        return array.tolist()
    if kind == "f":
        data = array.tolist()
        flat = data if array.ndim == 1 else array.ravel().tolist() if array.ndim else [data]
        total = sum(flat)
        if total - total == 0:  # NaN or ±Inf anywhere (or an overflowing sum) fails this
            return data
    return _nested(array)


_sum = np.add.reduce  # what ``ndarray.sum``, ``min`` and ``max`` call, without their wrappers
_min = np.minimum.reduce
_max = np.maximum.reduce
_F8 = np.dtype(np.float64)

Stats = tuple[float | None, float | None, float | None, int, int, float | None]
"""``(min, max, mean, NaN count, Inf count, L2 norm)`` of a tensor's elements."""


def _stats(flat: np.ndarray) -> Stats:
    """min, max, mean, L2 norm and NaN/Inf counts, a chunk at a time, on the tensor's own dtype.

    One float64 sum per chunk tells whether it is all finite (the usual case); only a chunk
    with a NaN or an Inf (or a float64 sum that overflows) is scanned again to count them.
    """
    size = flat.size
    if 0 < size <= CHUNK:  # one chunk, all finite (the usual case): the loop's sums, unrolled
        total = 0.0 + float(_sum(flat, dtype=_F8))  # ``0.0 +`` as the loop's: -0.0 reads 0.0
        if total - total == 0:
            low, high = float(_min(flat)), float(_max(flat))
            norm = math.sqrt(0.0 + _sum_of_squares(flat, max(-low, high)))
            return low, high, total / int(size), 0, 0, norm if math.isfinite(norm) else None
    lo: float | None = None
    hi: float | None = None
    total, squares, count, nan, inf = 0.0, 0.0, 0, 0, 0
    floating = flat.dtype.kind == "f"
    for start in range(0, flat.size, CHUNK):
        chunk = flat[start : start + CHUNK] if flat.size > CHUNK else flat
        chunk_sum = float(_sum(chunk, dtype=_F8))
        if floating and not math.isfinite(chunk_sum):
            finite = np.isfinite(chunk)
            nans = int(np.count_nonzero(np.isnan(chunk)))
            nan += nans
            inf += chunk.size - int(np.count_nonzero(finite)) - nans
            chunk = chunk[finite]
            chunk_sum = float(_sum(chunk, dtype=_F8))
        if chunk.size:
            low, high = float(_min(chunk)), float(_max(chunk))
            lo = low if lo is None else min(lo, low)
            hi = high if hi is None else max(hi, high)
            total += chunk_sum
            squares += _sum_of_squares(chunk, max(-lo, hi))
            count += int(chunk.size)
    if not count:
        return None, None, None, nan, inf, None
    norm = math.sqrt(squares)
    return lo, hi, total / count, nan, inf, norm if math.isfinite(norm) else None  # past float64


def _sum_of_squares(chunk: np.ndarray, largest: float) -> float:
    """In the chunk's own float dtype where that cannot overflow (``largest`` bounds its absolute
    values), else in float64 scaled by ``largest``: no overflow warning may reach the scenario's
    stderr."""
    if (
        chunk.dtype.kind == "f"
        and chunk.dtype.itemsize >= 4
        and largest * largest * chunk.size < 1e37
    ):
        return float(np.dot(chunk, chunk))
    if largest == 0:
        return 0.0
    scaled = chunk.astype(np.float64) / largest
    return float(np.dot(scaled, scaled)) * largest * largest


def _summary(array: np.ndarray, preview: int) -> ValueSummary:
    flat = array.reshape(-1)  # a view: tensor values are contiguous
    summary = ValueSummary(size=int(flat.size), preview=_whole(flat[:preview]))
    if array.dtype.kind in "fiub" and flat.size:
        lo, hi, mean, summary.nan, summary.inf, norm = _stats(flat)
        if mean is not None:
            summary.min, summary.max, summary.mean, summary.norm = lo, hi, mean, norm
    return summary


def summary_row(array: np.ndarray, preview: int) -> list[Any]:
    """``capture``'s summary of a large value as the list a summarised step's row holds:
    ``[size, preview, min, max, mean, nan, inf, norm]``, without building the summary."""
    flat = array.reshape(-1)
    size = flat.size
    if array.dtype.kind in "fiub" and size:
        lo, hi, mean, nan, inf, norm = _stats(flat)
        if mean is None:
            lo = hi = norm = None
        return [size, _whole(flat[:preview]), lo, hi, mean, nan, inf, norm]
    return [size, _whole(flat[:preview]), None, None, None, 0, 0, None]


whole = _whole
"""A value small enough to store whole, as nested lists (what ``capture`` stores)."""


def capture(
    value: Any, budget: int = VALUE_BUDGET, preview: int = PREVIEW
) -> tuple[Any, ValueSummary | None]:
    """``(data, None)`` for a value of at most ``budget`` elements, else ``(None, summary)``."""
    array = value if type(value) is np.ndarray else np.asarray(value)
    if array.size <= budget:
        return _whole(array), None
    return None, _summary(array, preview)


def held(
    value: np.ndarray, budget: int = VALUE_BUDGET, preview: int = PREVIEW
) -> tuple[Any, ValueSummary | None]:
    """``capture``, except that a small array of bools, ints or floats is kept as an array (a
    copy; floats as little-endian doubles), written as the same JSON when its record is
    (``held_text``). A full-detail recording keeps every tensor's record: nested lists are
    objects the garbage collector looks at again in every full collection, an array is not."""
    kind = value.dtype.kind
    if value.ndim and value.size <= budget and kind in "biuf":
        return (value.astype(_DOUBLES) if kind == "f" else value.copy()), None
    return capture(value, budget, preview)


_DOUBLES = np.dtype("<f8")
_LITTLE = sys.byteorder == "little"


def held_text(array: np.ndarray, pack: bool) -> str:
    """The JSON text of a ``held`` array: what its nested lists give, packed when ``pack``."""
    if pack and array.dtype.kind == "f" and array.size >= LEAST and _LITTLE:
        doubles = array.tobytes()
        total = sum(memoryview(doubles).cast("d"))
        if total - total == 0:  # all finite (an overflowing sum goes the long way)
            return packed_doubles(doubles)
    data = _whole(array)
    return floats_text(data) if pack else value_text(data)


write_held(np.ndarray, held_text)


def densified(values: np.ndarray, indices: np.ndarray, shape: Any) -> np.ndarray:
    """The dense value of an ``IndexedSlices`` (rows ``values`` at ``indices``, repeated
    indices summed), as ``tf.convert_to_tensor`` gives it, computed without running an op."""
    dense = np.zeros([int(d) for d in shape], dtype=values.dtype)
    np.add.at(dense, np.asarray(indices, dtype=np.int64), values)
    return dense
