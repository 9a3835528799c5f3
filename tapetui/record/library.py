"""Where the scenario's ops ran inside a library: the library frame (``keras/src/layers/core/
dense.py:144 · Dense.call``), the Keras layer (``dense_1``), and names Keras's own code bound.

Asked for on every op, so each code object is classified once (known by its id: hashing a code
object hashes its bytecode and constants) and a stack walk costs a dict lookup per frame; the
same walk finds the scenario's frame and line (``locate``). No TensorFlow or Keras import:
layers are told by their classes' modules.
"""

from __future__ import annotations

import functools
import os
from types import CodeType, FrameType
from typing import Any

from tapetui.record.frames import ScenarioFiles

_MARKERS = (f"{os.sep}site-packages{os.sep}", f"{os.sep}dist-packages{os.sep}")
_TAPETUI_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
_PLUMBING = tuple(
    p.replace("/", os.sep)
    for p in (
        "tensorflow/",
        "tf_keras/",
        "numpy/",
        "keras/src/backend/",
        "keras/src/ops/",
        "keras/src/tree/",
        "keras/src/utils/",
        "keras/src/trainers/epoch_iterator",
        "keras/src/trainers/data_adapters/",
        "optree/",
    )
)
"""Library code that only passes an op on (TensorFlow itself, Keras's backend and op layers):
never the frame an op is said to run in."""
_KERAS_DIRS = (f"keras{os.sep}", f"tf_keras{os.sep}")
_LAYER_CALLS = frozenset({"call", "__call__"})
_LAYER_CLASSES = frozenset(
    {("keras.src.layers.layer", "Layer"), ("tf_keras.src.engine.base_layer", "Layer")}
)
"""Keras 3's and Keras 2's (``tf-keras``, ``TF_USE_LEGACY_KERAS=1``) base ``Layer``."""
_NOT_NAMES = frozenset({"self", "args", "kwargs", "data", "x", "y", "value", "values", "result"})
"""Keras locals too generic to name a tensor the user asked about."""


class _Code:
    """What one code object is, decided once."""

    __slots__ = ("code", "layer_call", "library", "lines", "name", "passed", "places", "scenario")

    def __init__(self, code: CodeType, library: str | None, layer_call: bool, name: str | None):
        self.code = code
        """Held, so that its id (the cache's key) is never reused."""
        self.library = library
        """``keras/src/layers/core/dense.py`` for a library frame an op may be said to run in."""
        self.layer_call = layer_call
        self.name = name
        """The scenario file's trace name, for the scenario's own code; else ``None``."""
        self.scenario = name is not None
        self.passed = not self.scenario and library is None and not layer_call
        """Neither the scenario's, nor a library frame, nor a layer's call: walked past."""
        self.lines: dict[int, int] = {}
        """Line of each instruction offset seen (``f_lineno`` decodes the line table each time)."""
        self.places: dict[int, str] = {}
        """``library`` with the line and function, per instruction offset seen."""

    def line(self, frame: FrameType) -> int:
        lasti = frame.f_lasti
        line = self.lines.get(lasti)
        if line is None:
            line = frame.f_lineno
            if line is not None:
                self.lines[lasti] = line
        return line

    def place(self, frame: FrameType) -> str:
        lasti = frame.f_lasti
        place = self.places.get(lasti)
        if place is None:
            place = self.places[lasti] = (
                f"{self.library}:{frame.f_lineno} · {self.code.co_qualname}"
            )
        return place


Found = tuple[FrameType | None, str | None, int | None]
"""``(scenario frame, its trace file name, its line)``, all ``None`` without a scenario frame."""
Located = tuple[FrameType | None, str | None, int | None, str | None, str | None]
"""``(scenario frame, its trace file name, its line, library frame, layer name)``."""


class LibraryPlaces:
    """The library frame and the Keras layer of the op running now."""

    def __init__(self, files: ScenarioFiles) -> None:
        self.files = files
        self._codes: dict[int, _Code] = {}
        self._layer_types: dict[type, bool] = {}
        self._above: tuple[Any, str | None] = (None, None)
        """(the scenario frame and its instruction, the layer found above it) at the last op."""

    def of(self, frame: FrameType | None) -> tuple[str | None, str | None]:
        """``(library frame, layer name)`` for an op whose hook runs in ``frame``: the innermost
        library frame below the scenario's innermost frame, and the innermost Keras layer whose
        ``call``/``__call__`` is on the stack (in the scenario's code or Keras's)."""
        _, _, _, library, layer = self.locate(frame, lines=False)
        return library, layer

    def locate(self, frame: FrameType | None, lines: bool = True) -> Located:
        """The innermost scenario frame at or above ``frame``, its file's trace name and its line
        (``None`` without ``lines``), and ``of``'s library frame and layer: one stack walk."""
        codes, library = self._codes, None
        while frame is not None:
            code = frame.f_code
            kind = codes.get(id(code)) or self._classify(code)
            if kind.passed:  # most frames: TensorFlow's and tapetui's own
                frame = frame.f_back
                continue
            if kind.scenario:
                break
            if library is None and kind.library is not None:
                library = kind.place(frame)
            if kind.layer_call and (layer := self._layer_name(frame)) is not None:
                found = self.scenario_at(frame.f_back)
                return (*found, library, layer)
            frame = frame.f_back
        if frame is None:
            return None, None, None, library, None
        # While the scenario's frame stays at one instruction, the stack above it is unchanged.
        # Known by ids, never held: holding the frame would keep the scenario's locals alive.
        key = (id(frame), code, frame.f_lasti, id(frame.f_back))
        if self._above[0] != key:
            self._above = (key, self._layer_above(frame))
        return frame, kind.name, kind.line(frame) if lines else None, library, self._above[1]

    def scenario_at(self, frame: FrameType | None) -> Found:
        """The innermost scenario frame at or above ``frame``, its file's trace name, its line."""
        codes = self._codes
        while frame is not None:
            code = frame.f_code
            kind = codes.get(id(code)) or self._classify(code)
            if kind.scenario:
                return frame, kind.name, kind.line(frame)
            frame = frame.f_back
        return None, None, None

    def _layer_above(self, frame: FrameType | None) -> str | None:
        codes = self._codes
        while frame is not None:
            code = frame.f_code
            kind = codes.get(id(code)) or self._classify(code)
            if kind.layer_call and (layer := self._layer_name(frame)) is not None:
                return layer
            frame = frame.f_back
        return None

    def _layer_name(self, frame: FrameType) -> str | None:
        layer = frame.f_locals.get("self")
        if not self._is_layer(layer):
            return None
        return str(getattr(layer, "name", "")) or None

    def _classify(self, code: CodeType) -> _Code:
        filename = code.co_filename
        name = self.files.name(filename)
        library = None if name is not None else _library_path(filename)
        kind = self._codes[id(code)] = _Code(code, library, code.co_name in _LAYER_CALLS, name)
        return kind

    def _is_layer(self, obj: Any) -> bool:
        kind = type(obj)
        known = self._layer_types.get(kind)
        if known is None:
            known = self._layer_types[kind] = any(
                (c.__module__, c.__name__) in _LAYER_CLASSES for c in kind.__mro__
            )
        return known


def _library_path(filename: str) -> str | None:
    """``keras/src/layers/core/dense.py`` for an installed library's file that is not mere
    plumbing, else ``None``."""
    if filename.startswith(_TAPETUI_DIR):
        return None
    for marker in _MARKERS:
        at = filename.rfind(marker)
        if at >= 0:
            inside = filename[at + len(marker) :]
            if inside.startswith(_PLUMBING):
                return None
            return inside.replace(os.sep, "/")
    return None


@functools.lru_cache(maxsize=1024)
def _is_keras_file(filename: str) -> bool:
    if filename.startswith(_TAPETUI_DIR):
        return False
    for marker in _MARKERS:
        at = filename.rfind(marker)
        if at >= 0:
            return filename[at + len(marker) :].startswith(_KERAS_DIRS)
    return False


def library_binding(start: FrameType | None, stop: FrameType | None, obj: Any) -> str | None:
    """The name a Keras frame between ``start`` and the scenario frame ``stop`` binds to
    ``obj`` itself, innermost first (``loss`` in Keras's ``train_step``), else ``None``."""
    frame = start
    while frame is not None and frame is not stop:
        if _is_keras_file(frame.f_code.co_filename):
            for name, value in frame.f_locals.items():
                if value is obj and name not in _NOT_NAMES and not name.startswith("_"):
                    return name
        frame = frame.f_back
    return None
