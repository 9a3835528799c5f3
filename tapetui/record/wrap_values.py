"""The wrappers of variables and of values leaving TensorFlow: which variables made, assigns,
conversions to Python or NumPy and Keras optimizers' missing gradients are reported to the
``Observer``."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any

from tapetui.record.observer import Observer
from tapetui.record.tf_hooks import EagerTensor, eager


def variable_init(obs: Observer, original: Any, kept_by_trace: Callable[[Any], bool]) -> Any:
    """Reports each new variable. One made while a function is traced before its eager call (a
    Keras layer built in the trace, whose variables the eager call then uses) is kept by the
    trace instead (``kept_by_trace``): it is initialised only when the trace is done."""

    @functools.wraps(original)
    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        if not kept_by_trace(self) and not obs.muted:
            with obs.guard():
                obs.on_variable_created(self)

    return __init__


def assign(obs: Observer, method: str, original: Any) -> Any:
    @functools.wraps(original)
    def wrapped(self: Any, value: Any, *args: Any, **kwargs: Any) -> Any:
        outer = obs.assigning
        obs.assigning = True
        try:
            result = original(self, value, *args, **kwargs)
        finally:
            obs.assigning = outer
        if not outer and not obs.summarising and eager():
            with obs.guard():
                obs.on_assign(self, method, value)
        return result

    return wrapped


def boundary(obs: Observer, how: str, original: Any) -> Any:
    @functools.wraps(original)
    def leave(self: Any, *args: Any, **kwargs: Any) -> Any:
        result = original(self, *args, **kwargs)
        if not obs.muted:
            caller = sys._getframe(1)
            with obs.guard():
                obs.on_boundary(self, how, caller)
        return result

    return leave


def array_function(obs: Observer) -> Callable[..., Any]:
    """NumPy functions (``np.mean(t)``) read tensors through the buffer protocol, which Python
    cannot observe; ``__array_function__`` lets NumPy announce the call first. It then runs
    NumPy's own implementation, so results are unchanged."""

    def __array_function__(self: Any, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        if not obs.muted:
            caller = sys._getframe(1)
            with obs.guard():
                for arg in (*args, *kwargs.values()):
                    for leaf in arg if isinstance(arg, (list, tuple)) else (arg,):
                        if isinstance(leaf, EagerTensor):
                            obs.on_boundary(leaf, "array", caller)
        return func._implementation(*args, **kwargs)

    return __array_function__


def numpy_function(obs: Observer, original: Any) -> Any:
    """An eager ``tf.numpy_function`` hands its inputs to the Python function as NumPy arrays
    (``np.array(t)``, which Python cannot observe): each input tensor leaves TensorFlow at the
    scenario's call. (``original`` is ``py_func_common(func, inp, Tout, ...)``.)"""

    @functools.wraps(original)
    def run(*args: Any, **kwargs: Any) -> Any:
        inp = kwargs["inp"] if "inp" in kwargs else args[1] if len(args) > 1 else None
        if not obs.muted and eager() and isinstance(inp, (list, tuple)):
            caller = sys._getframe(1)
            with obs.guard():
                for leaf in inp:
                    if isinstance(leaf, EagerTensor):
                        obs.on_boundary(leaf, "numpy_function", caller)
        return original(*args, **kwargs)

    return run


def optimizer_filter(obs: Observer, original: Any) -> Any:
    """Every Keras optimizer drops ``None`` gradients in ``_filter_empty_gradients(grads,
    vars)``: it raises ``ValueError("No gradients provided for any variable.")`` when all are
    ``None``, else calls ``warnings.warn("Gradients do not exist for variables …")`` (which
    Python prints, or not, as its warning filters say: tapetui leaves that alone)."""

    @functools.wraps(original)
    def _filter_empty_gradients(self: Any, grads: Any, vars: Any) -> Any:
        grads, vars = list(grads), list(vars)  # what the original makes of them first
        return _reporting_missing(obs, lambda: original(self, grads, vars), grads, vars)

    return _filter_empty_gradients


def keras2_optimizer_filter(obs: Observer, original: Any) -> Any:
    """Keras 2 (``tf-keras``): its optimizers drop ``None`` gradients in the module function
    ``filter_empty_gradients(grads_and_vars)``, which raises ``ValueError("No gradients provided
    for any variable: …")`` when all are ``None``, else logs that some do not exist."""

    @functools.wraps(original)
    def filter_empty_gradients(grads_and_vars: Any) -> Any:
        pairs = tuple(grads_and_vars)  # what the original makes of them first
        if not all(isinstance(p, tuple | list) and len(p) == 2 for p in pairs):
            return original(pairs)  # malformed: the original says so, as it would have
        grads, vars = [p[0] for p in pairs], [p[1] for p in pairs]
        return _reporting_missing(obs, lambda: original(pairs), grads, vars)

    return filter_empty_gradients


def _reporting_missing(
    obs: Observer, run: Callable[[], Any], grads: list[Any], vars: list[Any]
) -> Any:
    """``run()`` (an optimizer's filter of ``None`` gradients), reporting the missing gradients:
    with the ``ValueError`` it raises when all are ``None``, or alone when some are."""
    try:
        result = run()
    except ValueError as exc:
        if not obs.muted and eager():
            with obs.guard():
                obs.on_missing_gradients(grads, vars, exc)
        raise
    if not obs.muted and eager() and any(g is None for g in grads):
        with obs.guard():
            obs.on_missing_gradients(grads, vars, None)
    return result
