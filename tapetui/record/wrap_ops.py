"""The wrappers of TensorFlow's op execution: which eager ops, backward steps, variable reads and
threads are reported to the ``Observer``. Each calls the original and returns what it did."""

from __future__ import annotations

import contextlib
import functools
import inspect
import sys
from collections.abc import Callable
from typing import Any

from tapetui.record.observer import Observer
from tapetui.record.tf_hooks import EagerTensor, TFVariable, eager
from tapetui.record.tf_objects import ids_of

_CREATION_OPS = frozenset({"VarHandleOp", b"VarHandleOp"})
"""Ops a variable's creation runs, under its name scope: reported as the variable itself."""


def op_callback(obs: Observer) -> Callable[..., None]:
    def callback(
        op_type: str,
        inputs: Any,
        attrs: Any,
        outputs: Any,
        op_name: Any = None,
        graph: Any = None,
    ) -> None:
        # An eager op has no graph. Its ``op_name`` is unset except under a name scope that
        # eager code keeps (``name_scope(..., skip_on_eager=False)``): a variable's creation
        # (``VarHandleOp``, which the variable hooks report), but also ``t[0:1]``'s
        # ``StridedSlice`` and BatchNormalization's ``Mean`` ops, which ran all the same.
        named = op_name is not None and op_type in _CREATION_OPS
        if graph is None and not named and not obs.muted and not obs.summarising:
            with obs.guard():
                obs.on_op(op_type, list(inputs or ()), attrs or (), list(outputs or ()))

    return callback


def gradient_function(obs: Observer, registered: Callable[..., Any]) -> Callable[..., Any]:
    """TensorFlow's gradient function for every op, reporting each backward step it runs."""

    def gradient(*args: Any) -> Any:
        op_name, _attrs, _num_inputs, inputs, outputs, out_grads, skip, _scope = args
        produced = registered(*args)
        if not obs.muted and not obs.summarising and eager():
            flat = list(produced) if isinstance(produced, (list, tuple)) else [produced]
            with obs.guard():
                obs.on_backward_step(op_name, inputs, outputs, out_grads, skip, flat)
        return produced

    return gradient


def record_operation(obs: Observer, original: Any) -> Any:
    """``record.record_operation`` reporting the backward steps of ``tf.custom_gradient``
    functions: TensorFlow calls their gradient functions directly, not through the gradient
    function the hooks registered. Only ids are kept: the tape keeps what TensorFlow keeps."""
    signature = inspect.signature(original)

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not sys._getframe(1).f_code.co_filename.endswith("custom_gradient.py"):
            return original(*args, **kwargs)
        bound = signature.bind(*args, **kwargs)
        given = bound.arguments
        given["backward_function"] = _observed_backward(
            obs,
            given["op_type"],
            ids_of(given["input_tensors"]),
            ids_of(given["output_tensors"]),
            given["backward_function"],
        )
        return original(*bound.args, **bound.kwargs)

    return wrapped


def _observed_backward(
    obs: Observer, op_type: str, in_ids: list[int], out_ids: list[int], backward: Any
) -> Callable[..., Any]:
    def backward_function(*grads: Any) -> Any:
        produced = backward(*grads)
        if not obs.muted and not obs.summarising and eager():
            with obs.guard():
                obs.on_custom_step(op_type, in_ids, out_ids, list(grads), list(produced))
        return produced

    return backward_function


def fast_path(original: Any) -> Any:
    """Reads variables in Python before the C fast path would read them unseen."""

    def convert(arg: Any) -> Any:
        if isinstance(arg, TFVariable):
            return arg.value()
        if isinstance(arg, (list, tuple)) and any(isinstance(a, TFVariable) for a in arg):
            return type(arg)(convert(a) for a in arg)
        return arg

    def needs_read(arg: Any) -> bool:
        kind = type(arg)
        if kind is EagerTensor or kind is str or kind is float or kind is int:
            return False  # the common arguments, decided without isinstance
        if kind is list or kind is tuple:
            return any(isinstance(a, TFVariable) for a in arg)
        return isinstance(arg, TFVariable)

    def fast_path_execute(*args: Any) -> Any:
        for arg in args[3:]:
            if needs_read(arg):
                return original(*args[:3], *(convert(a) for a in args[3:]))
        return original(*args)

    return fast_path_execute


def variable_accessed(obs: Observer, original: Any) -> Any:
    @functools.wraps(original)
    def wrapped(variable: Any) -> Any:
        result = original(variable)
        if not obs.muted:
            with obs.guard():
                obs.on_variables_accessed([variable])
        return result

    return wrapped


def variables_accessed(obs: Observer, original: Any) -> Any:
    def wrapped(variables: Any) -> Any:
        variables = list(variables)
        result = original(variables)
        if not obs.muted:
            with obs.guard():
                obs.on_variables_accessed([v for v in variables if v.trainable])
        return result

    return wrapped


def thread_start(original: Any, observe_thread: Callable[[], bool]) -> Any:
    """``Thread._bootstrap_inner``, which every ``threading.Thread`` runs first in its new thread
    (also when a subclass overrides ``run``), observing the thread's ops from its start."""

    def _bootstrap_inner(self: Any) -> Any:
        with contextlib.suppress(Exception):  # never stop the scenario's thread
            observe_thread()
        return original(self)

    return _bootstrap_inner
