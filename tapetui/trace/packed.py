"""Float values in stream records as their 8-byte doubles in base64 (``{"f8": "…"}``), instead of
decimal text.

Writing a float as its shortest decimal takes about 1.5 µs, and a float32 value needs all 17
digits of a double: 30 µs for a 17-element tensor, most of a recorded op. Packed, the same
values take a few µs and a third less text, and read back as the same doubles, bit for bit.
Only the live stream packs them; a saved trace keeps its values as JSON numbers.
"""

from __future__ import annotations

import base64
import math
import sys
from array import array
from itertools import chain
from typing import Any

from tapetui.trace.checks import TraceFormatError

KEY = "f8"
_SWAP = sys.byteorder == "big"  # packed little-endian everywhere
_FLOATS = {float}
LEAST = 4
"""Fewer floats than this are written as decimals: packing costs about what three of them do."""


def packed_text(data: Any, shape: Any) -> str | None:
    """The JSON text of ``data`` (a tensor's nested lists of floats, of ``shape``) packed, or
    ``None`` when it is not a list of floats (ints, strings for NaN and Inf), too short, or not
    of ``shape``."""
    if type(data) is not list or not data:
        return None
    flat = data
    while flat and type(flat[0]) is list:
        flat = list(chain.from_iterable(flat))
    if len(flat) < LEAST or set(map(type, flat)) != _FLOATS:  # an int would come back a float
        return None
    if shape is not None and (type(shape) is not list or math.prod(shape) != len(flat)):
        return None
    try:
        values = array("d", flat)
    except TypeError:  # a ragged list
        return None
    if _SWAP:
        values.byteswap()
    return packed_doubles(values.tobytes())


def packed_doubles(doubles: bytes) -> str:
    """The JSON text of values given as little-endian doubles (``packed_text``'s form)."""
    return '{"' + KEY + '":"' + base64.b64encode(doubles).decode("ascii") + '"}'


def is_packed(value: Any) -> bool:
    return type(value) is dict and len(value) == 1 and KEY in value


def unpacked(value: Any, shape: Any) -> list[Any]:
    """The nested lists a packed value stands for (``shape``: the tensor's, ``None`` for flat)."""
    text = value[KEY]
    if type(text) is not str:
        raise TraceFormatError("a packed value should be a string")
    values = array("d")
    try:
        values.frombytes(base64.b64decode(text, validate=True))
    except ValueError:
        raise TraceFormatError("a packed value is not base64 of whole doubles") from None
    if _SWAP:
        values.byteswap()
    flat = values.tolist()
    if shape is None or len(shape) <= 1:
        return flat
    if not all(type(d) is int and d > 0 for d in shape) or math.prod(shape) != len(flat):
        raise TraceFormatError(f"a packed value does not fit its shape {shape!r:.40}")
    return _nest(flat, shape)


def _nest(flat: list[float], shape: list[int]) -> list[Any]:
    rows: list[Any] = flat
    for size in reversed(shape[1:]):
        rows = [rows[i : i + size] for i in range(0, len(rows), size)]
    return rows
