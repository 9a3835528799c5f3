"""The wrappers of ``tf.GradientTape``'s methods: what of a tape's life and of its gradient calls
is reported to the ``Observer``, in detail and (``lean``) once summarising has started."""

from __future__ import annotations

import contextlib
import functools
import inspect
import sys
from collections.abc import Callable, Iterator
from typing import Any

from tapetui.record.observer import Observer
from tapetui.record.tf_hooks import eager
from tapetui.record.tf_objects import tape_is_recording

GRADIENT_METHODS = ("gradient", "jacobian", "batch_jacobian")


def tape_init(obs: Observer, original: Any, observe_thread: Callable[[], bool]) -> Any:
    def __init__(
        self: Any, persistent: bool = False, watch_accessed_variables: bool = True
    ) -> None:
        original(self, persistent, watch_accessed_variables)
        if obs.muted:  # a tape of a function traced before its eager call
            return
        with obs.guard():
            if not observe_thread():  # a thread not started by ``threading``
                obs.thread_seen_late()
            obs.on_tape_created(self, bool(persistent), bool(watch_accessed_variables))

    return __init__


def tape_method(obs: Observer, name: str, original: Any) -> Any:
    """The detailed wrapper of the tape method ``name``."""
    if name in GRADIENT_METHODS:
        return _around_gradient(obs, name, original)
    if name == "__enter__":
        return _enter(obs, original)
    if name == "watch":
        return _watch(obs, original)
    if name == "stop_recording":
        return _stop_recording(obs, original)
    hooks = {
        "__exit__": obs.on_tape_exit,
        "_push_tape": obs.on_tape_pushed,
        "_pop_tape": obs.on_tape_popped,
        "reset": obs.on_tape_reset,
    }
    return _after(obs, hooks[name], original)


def _enter(obs: Observer, original: Any) -> Any:
    def __enter__(self: Any) -> Any:
        parent = obs.innermost_tape()
        result = original(self)
        if obs.muted:
            return result
        with obs.guard():
            obs.on_tape_enter(self, parent)
        return result

    return __enter__


def _after(obs: Observer, hook: Callable[..., None], original: Any) -> Any:
    """Call the original, then ``hook(self, *args)``; return the original's result."""

    @functools.wraps(original)
    def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        result = original(self, *args, **kwargs)
        if not obs.muted:
            with obs.guard():
                hook(self, *args, **kwargs)
        return result

    return method


def _watch(obs: Observer, original: Any) -> Any:
    def watch(self: Any, tensor: Any) -> Any:
        if obs.muted:
            return original(self, tensor)
        try:
            result = original(self, tensor)
        except BaseException as exc:
            with obs.guard():
                obs.on_watch(self, tensor, exc)
            raise
        with obs.guard():
            obs.on_watch(self, tensor, None)
        return result

    return watch


def _stop_recording(obs: Observer, original: Any) -> Any:
    @contextlib.contextmanager
    def stop_recording(self: Any) -> Iterator[None]:
        if obs.muted:
            with original(self):
                yield
            return
        with original(self):
            with obs.guard():
                obs.on_stop_recording(self, stopped=True)
            try:
                yield
            finally:
                with obs.guard():
                    obs.on_stop_recording(self, stopped=False)

    return stop_recording


def observe_calls(
    obs: Observer,
    original: Callable[..., Any],
    begin: Callable[[Any, dict[str, Any], bool], Any],
    end: Callable[[Any, Any, BaseException | None], None],
) -> Callable[..., Any]:
    """``original`` (a tape's ``gradient``, ``jacobian`` …) reporting each eager call the scenario
    makes: ``begin(tape, arguments, inside_context)`` before it, ``end(begun, result, error)``
    after. Calls TensorFlow makes inside one (``jacobian`` calls ``gradient``) are not reported."""
    arguments_of = _arguments(original)

    @functools.wraps(original)
    def call(self: Any, *args: Any, **kwargs: Any) -> Any:
        if obs.muted or obs.gradient_depth or not eager():
            return original(self, *args, **kwargs)
        arguments = arguments_of(args, kwargs)
        begun = None
        with obs.guard():
            begun = begin(self, arguments, tape_is_recording(self))
        obs.gradient_depth += 1
        try:
            result = original(self, *args, **kwargs)
        except BaseException as exc:
            obs.gradient_depth -= 1
            with obs.guard():
                end(begun, None, exc)
            raise
        obs.gradient_depth -= 1
        with obs.guard():
            end(begun, result, None)
            obs.on_gradient_returned(arguments, result)
        return result

    return call


def _around_gradient(obs: Observer, method: str, original: Any) -> Any:
    def begin(gt: Any, arguments: dict[str, Any], inside: bool) -> Any:
        return obs.gradient_begin(gt, method, arguments, inside)

    return observe_calls(obs, original, begin, obs.gradient_end)


# --- the wrappers the hooks switch to when summarising starts ---------------------------------


def lean_tape_method(obs: Observer, name: str, original: Any) -> Any:
    if name in GRADIENT_METHODS:
        return _lean_gradient(obs, name, original)
    if name == "__enter__":
        return _lean_enter(obs, original)
    return _lean_exit(obs, original)


def _lean_enter(obs: Observer, original: Callable[..., Any]) -> Callable[..., Any]:
    def __enter__(self: Any) -> Any:
        result = original(self)
        if not obs.muted:
            with obs.guard():
                obs.lean_entered(self, sys._getframe(1))
        return result

    return __enter__


def _lean_exit(obs: Observer, original: Callable[..., Any]) -> Callable[..., Any]:
    def __exit__(self: Any, *exc_info: Any) -> Any:
        result = original(self, *exc_info)
        if not obs.muted:
            with obs.guard():
                obs.lean_exited(self, sys._getframe(1))
        return result

    return __exit__


def _lean_gradient(obs: Observer, method: str, original: Callable[..., Any]) -> Callable[..., Any]:
    """``observe_calls`` for summarised steps: nothing to report before the call, so one guard
    a call, after it."""
    arguments_of = _arguments(original)

    @functools.wraps(original)
    def call(self: Any, *args: Any, **kwargs: Any) -> Any:
        if obs.muted or obs.gradient_depth or not eager():
            return original(self, *args, **kwargs)
        arguments = arguments_of(args, kwargs)
        inside = tape_is_recording(self)
        obs.gradient_depth += 1
        try:
            result = original(self, *args, **kwargs)
        except BaseException as exc:
            obs.gradient_depth -= 1
            with obs.guard():
                obs.lean_called(
                    self, arguments, inside, sys._getframe(1), method=method, result=None, error=exc
                )
            raise
        obs.gradient_depth -= 1
        with obs.guard():
            obs.lean_called(
                self, arguments, inside, sys._getframe(1), method=method, result=result, error=None
            )
        return result

    return call


def _arguments(
    method: Callable[..., Any],
) -> Callable[[tuple[Any, ...], dict[str, Any]], dict[str, Any]]:
    """How a call of ``method`` (after ``self``) binds its arguments, defaults included, as a
    dict by name: cheaper than ``inspect.Signature.bind`` on every call."""
    parameters = list(inspect.signature(method).parameters.values())[1:]
    names = [p.name for p in parameters]
    defaults = {p.name: p.default for p in parameters if p.default is not p.empty}

    def bind(args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
        return {**defaults, **dict(zip(names, args, strict=False)), **kwargs}

    return bind
