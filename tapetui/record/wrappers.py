"""What the recorder patches TensorFlow with: the wrappers of ``tapetui.record.wrap_*`` for one
``Observer``, as the ``tf_hooks.Wrappers`` that ``tf_hooks.Hooks`` installs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tapetui.record import wrap_ops, wrap_tapes, wrap_values
from tapetui.record.observer import Observer


class RecordingWrappers:
    """Makes each wrapper for ``obs`` from the original it replaces (``tf_hooks.Wrappers``)."""

    def __init__(self, obs: Observer) -> None:
        self.obs = obs

    def op_callback(self) -> Callable[..., None]:
        return wrap_ops.op_callback(self.obs)

    def gradient_function(self, registered: Callable[..., Any]) -> Callable[..., Any]:
        return wrap_ops.gradient_function(self.obs, registered)

    def fast_path(self, original: Any) -> Any:
        return wrap_ops.fast_path(original)

    def variable_accessed(self, original: Any) -> Any:
        return wrap_ops.variable_accessed(self.obs, original)

    def variables_accessed(self, original: Any) -> Any:
        return wrap_ops.variables_accessed(self.obs, original)

    def thread_start(self, original: Any, observe_thread: Callable[[], bool]) -> Any:
        return wrap_ops.thread_start(original, observe_thread)

    def record_operation(self, original: Any) -> Any:
        return wrap_ops.record_operation(self.obs, original)

    def tape_init(self, original: Any, observe_thread: Callable[[], bool]) -> Any:
        return wrap_tapes.tape_init(self.obs, original, observe_thread)

    def tape_method(self, name: str, original: Any) -> Any:
        return wrap_tapes.tape_method(self.obs, name, original)

    def lean_tape_method(self, name: str, original: Any) -> Any:
        return wrap_tapes.lean_tape_method(self.obs, name, original)

    def variable_init(self, original: Any, kept_by_trace: Callable[[Any], bool]) -> Any:
        return wrap_values.variable_init(self.obs, original, kept_by_trace)

    def assign(self, method: str, original: Any) -> Any:
        return wrap_values.assign(self.obs, method, original)

    def boundary(self, how: str, original: Any) -> Any:
        return wrap_values.boundary(self.obs, how, original)

    def array_function(self) -> Callable[..., Any]:
        return wrap_values.array_function(self.obs)

    def numpy_function(self, original: Any) -> Any:
        return wrap_values.numpy_function(self.obs, original)

    def optimizer_filter(self, original: Any) -> Any:
        return wrap_values.optimizer_filter(self.obs, original)

    def keras2_optimizer_filter(self, original: Any) -> Any:
        return wrap_values.keras2_optimizer_filter(self.obs, original)
