"""The names the scenario gave: a tensor, variable, tape or Keras layer bound to a Python name is
recorded under it; a gradient call's unnamed target is named as the Keras code computing it named
it; sources sharing a name are told apart (``layer.kernel``, ``layer.kernel#2``)."""

from __future__ import annotations

from typing import Any, Protocol

from tapetui.record import tf_objects as tfo
from tapetui.record.library import library_binding
from tapetui.record.names import distinct
from tapetui.record.observer import Journal
from tapetui.record.tf_hooks import EagerTensor, GradientTape
from tapetui.trace.model import flatten


class TapeNames(Protocol):
    def name_tape(self, gt: Any, name: str) -> None: ...


class Naming:
    """Names records after the scenario's bindings (each tensor or variable once)."""

    def __init__(self, rec: Journal, tapes: TapeNames) -> None:
        self.rec = rec
        self.tapes = tapes
        self.named: set[int] = set()

    def bound_name(self, obj: Any, start: Any) -> str | None:
        """The name bound to ``obj`` itself: by the innermost scenario frame outside ``start``,
        else by the nearest Keras frame below it (``loss`` in Keras's ``train_step`` under
        ``fit``)."""
        frame = self.rec.files.innermost(start)[0]
        if frame is not None:
            name = next((k for k, v in frame.f_locals.items() if v is obj), None)
            if name is not None:
                return name
        return library_binding(start, frame, obj)

    def name_target(self, structure: Any, start: Any) -> None:
        """Name a gradient call's target tensors the scenario did not name, as the Keras code
        that computed them did (``loss``)."""
        for leaf in flatten(structure):
            ref = tfo.ref_of(leaf)
            record = self.rec.tensors.get(ref) if ref is not None else None
            if ref is None or record is None or record.name or ref in self.named:
                continue
            name = library_binding(start, self.rec.files.innermost(start)[0], leaf)
            if name is not None:
                self.named.add(ref)
                record.name = name
                self.rec.emit("tensor", record)

    def distinguish_sources(self, arguments: dict[str, Any]) -> None:
        """A gradient call's sources get names no two of them share (``layer.kernel`` bound in
        a loop over two layers reads ``layer.kernel`` and ``layer.kernel#2``)."""
        refs = [tfo.ref_of(s) for s in flatten(arguments.get("sources", arguments.get("source")))]
        self.distinguish_refs(refs)

    def distinguish_refs(self, refs: list[Any]) -> None:
        """``distinguish_sources`` given the ids of the sources, flattened."""
        variables = self.rec.variables
        found = {r: variables[r] for r in refs if r is not None and r in variables}
        named = [(var, var.pyname) for var in found.values() if var.pyname]
        if len({name for _, name in named}) == len(named):
            return
        alternatives = [var.name if var.keras else None for var, _ in named]
        unique = distinct([name for _, name in named], alternatives)
        for (var, old), name in zip(named, unique, strict=True):
            if name != old:
                var.pyname = name
                self.rec.emit("variable", var)

    def take(self, name: str, value: Any) -> bool:
        """Name what ``value`` is; True when nothing more can come of this binding later."""
        if isinstance(value, EagerTensor):
            ref = tfo.ref_of(value)
            if ref is None or ref in self.named:
                return True
            self.named.add(ref)
            record = self.rec.tensors.get(ref) or self.rec.ensure_tensor(value, boundary=True)
            if record is not None:
                record.name = name
                self.rec.emit("tensor", record)
        elif isinstance(value, GradientTape):
            self.tapes.name_tape(value, name)
        elif tfo.as_tf_variable(value) is not None:
            self._name_variable(name, value)
        elif tfo.is_keras_object(value):  # a layer may be built, and get variables, later
            for path, var in tfo.layer_variables(value):
                # A layer's own variable reads as `layer.kernel`; a sublayer's by its Keras
                # path below the model (`dense_1/kernel`), as Keras itself names it.
                self._name_variable(path if "/" in path else f"{name}.{path}", var)
            return False
        elif (held := tfo.module_variables(value)) is not None:  # made lazily, maybe later
            # Inside its own method a module is `self`: its variables are named after the
            # caller's binding (`layer.w`), which the next reading of that frame takes.
            for path, var in held if name != "self" else ():
                self._name_variable(f"{name}.{path}", var)
            return False
        return True

    def _name_variable(self, name: str, value: Any) -> None:
        ref = tfo.ref_of(value)
        var = self.rec.variables.get(ref) if ref is not None else None
        if var is None or ref is None or ref in self.named:
            return
        self.named.add(ref)
        var.pyname = name
        var.keras = var.keras or tfo.is_keras_variable(value)
        self.rec.emit("variable", var)

    def label(self, obj: Any, ref: int | None) -> str:
        """How a watch item or structure leaf reads: its Python name where the scenario has one,
        else its Keras path or TensorFlow name."""
        var = self.rec.variables.get(ref) if ref is not None else None
        if var is not None:
            return var.pyname or f"Variable '{var.name}'"
        tensor = self.rec.tensors.get(ref) if ref is not None else None
        if tensor is not None:
            return tensor.name or f"{tensor.dtype} tensor #{ref}"
        return type(obj).__name__
