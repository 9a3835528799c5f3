"""The ``--json`` text of a report: indented where a reader looks, one line per backward step.

``json.dumps(..., indent=2)`` runs Python's pure encoder over every value (its C encoder does
not indent), a third of a 100,000-op report's time, and puts every number of a value on a line
of its own. Here the report, its tapes, calls and results are indented two spaces as before; a
value (a number or nested list), and each entry of ``backward_steps``, is written on one line by
the C encoder. Non-finite floats are spelled ``"nan"``, ``"inf"``, ``"-inf"`` as in the trace.
"""

from __future__ import annotations

import json
import math
from typing import Any

from tapetui.trace.jsonio import encode_float

_ENCODER = json.JSONEncoder(ensure_ascii=False, allow_nan=False)
_STRING = json.encoder.encode_basestring
"""How that encoder writes a string (``ensure_ascii=False``: escaping quotes, ``\\`` and C0)."""
ONE_LINE = frozenset({"backward_steps"})
"""Keys whose list items are written one per line, each on one line."""


def dumps(report: dict[str, Any]) -> str:
    """The report as indented JSON, ending in a newline."""
    out: list[str] = []
    _write(report, "", out)
    out.append("\n")
    return "".join(out)


def compact(value: Any) -> str:
    """One JSON value on one line (``, `` and ``: `` between items, as ``json.dumps``)."""
    kind = type(value)
    if kind is str:  # the encoder's own ways with a single value, without making an encoder
        return _STRING(value)
    if kind is int:
        return int.__repr__(value)
    if value is None:
        return "null"
    if kind is bool:
        return "true" if value else "false"
    if kind is float and math.isfinite(value):
        return float.__repr__(value)
    try:
        return _ENCODER.encode(value)
    except ValueError:  # a NaN or an infinity: spelled as the trace spells it
        return _ENCODER.encode(spelled(value))


def _write(value: Any, pad: str, out: list[str], one_line: bool = False) -> None:
    if isinstance(value, dict) and value:
        inner = pad + "  "
        out.append("{")
        first = True
        for key, item in value.items():
            out.append("\n" if first else ",\n")
            first = False
            out.append(f"{inner}{compact(str(key))}: ")
            _write(item, inner, out, key in ONE_LINE)
        out.append(f"\n{pad}}}")
    elif isinstance(value, (list, tuple)) and value and (one_line or _has_dict(value)):
        inner = pad + "  "
        out.append("[")
        first = True
        for item in value:
            out.append("\n" if first else ",\n")
            first = False
            out.append(inner)
            if one_line:
                out.append(compact(item))
            else:
                _write(item, inner, out)
        out.append(f"\n{pad}]")
    else:
        out.append(compact(value))


def _has_dict(items: list[Any] | tuple[Any, ...]) -> bool:
    return any(isinstance(item, dict) for item in items)


def spelled(value: Any) -> Any:
    """``value`` with every non-finite float spelled ``"nan"``, ``"inf"``, ``"-inf"`` as in the
    trace (values the explainer computes, such as a rule's product, may be non-finite)."""
    if isinstance(value, float):
        return encode_float(value)
    if isinstance(value, dict):
        return {key: spelled(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [spelled(item) for item in value]
    return value
