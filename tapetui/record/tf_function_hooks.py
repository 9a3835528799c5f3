"""The ``tf.function`` part of TensorFlow's private-API surface (``tapetui.record.tf_hooks`` is
the rest, and installs the patches): tracing a function before its eager call as a compiled
call would, its body's bookkeeping, and TensorFlow's retracing detector told of eager calls.
The private names used here are listed in ``tf_hooks.PRIVATE_APIS`` with the rest."""

from __future__ import annotations

import contextlib
import functools
import os
import sys
import threading
import weakref
from collections.abc import Iterator
from typing import Any

import tensorflow as tf
from tensorflow.python.autograph.impl import api as autograph_api
from tensorflow.python.eager import context
from tensorflow.python.eager.polymorphic_function import eager_function_run, polymorphic_function
from tensorflow.python.framework import ops
from tensorflow.python.ops import gradients_util
from tensorflow.python.util import nest, variable_utils


def functions_run_eagerly() -> bool:
    return bool(tf.config.functions_run_eagerly())


def run_functions_eagerly(eagerly: bool) -> None:
    tf.config.run_functions_eagerly(eagerly)


@contextlib.contextmanager
def functions_compiled() -> Iterator[None]:
    """``tf.function``s run (and trace) as graphs for the block, whatever the setting outside."""
    outer = eager_function_run.RUN_FUNCTIONS_EAGERLY
    eager_function_run.RUN_FUNCTIONS_EAGERLY = False
    try:
        yield
    finally:
        eager_function_run.RUN_FUNCTIONS_EAGERLY = outer


def device_name() -> str | None:
    """The device eager ops are placed on now (``tf.device``): part of a trace's key."""
    name = context.context().device_name
    return None if name is None else str(name)


def function_name(fn: Any) -> str:
    return str(getattr(fn, "__name__", None) or getattr(fn, "_name", "function"))


class _Tracing:
    depth = 0
    """How many functions are being traced before their eager call right now."""
    symbolic = False
    """Whether the last trace called ``tf.gradients`` (graph-only: the call runs compiled)."""
    retraced = False
    """Whether the last call traced anew (not from TensorFlow's cache)."""
    graph_only = False
    """Whether the last trace's own code read what only a graph tensor has (``x.op``)."""

    def __init__(self) -> None:
        self.created: list[Any] = []
        """The variables that trace made (a Keras layer built, ``if self.v is None``)."""
        self.unfinished: list[Any] = []
        """The initializers of the variables a trace that raised made: TensorFlow runs them
        only once a trace is done (``initialize_unfinished``)."""

    def keeps(self, var: Any) -> bool:
        """Keep a variable made while a trace runs (initialised when the trace is done)."""
        if self.depth:
            self.created.append(var)
        return bool(self.depth)


TRACING = _Tracing()


_SYMBOLIC: weakref.WeakSet[Any] = weakref.WeakSet()
"""The concrete functions whose trace called ``tf.gradients``, which only a graph can run."""


def trace_function(fn: Any, args: tuple[Any, ...], kwargs: dict[str, Any], made: list[Any]) -> None:
    """Trace ``fn`` for these arguments as a compiled call would (once per input signature,
    from TensorFlow's own cache); raises what tracing raises. Adds the variables the trace
    made to ``made``, also when it raised (a Keras train step traced to an optimizer that
    finds no gradients has built its model first): TensorFlow keeps them, initialised once
    the trace is done. ``TRACING.symbolic`` says whether this signature's trace called
    ``tf.gradients`` (the call must then run compiled)."""
    TRACING.depth += 1
    TRACING.created = []
    TRACING.symbolic = TRACING.graph_only = False
    TRACING.unfinished = []
    helper = gradients_util._GradientsHelper
    count = fn.experimental_get_tracing_count()
    initializers: list[Any] = []
    try:
        gradients_util._GradientsHelper = noting_symbolic(helper)
        with functions_compiled(), _noting_graph_attributes(), _initializers(fn, initializers):
            try:
                concrete = fn.get_concrete_function(*args, **kwargs)
            except BaseException:
                TRACING.unfinished = initializers
                raise
        TRACING.retraced = fn.experimental_get_tracing_count() != count
        if TRACING.graph_only:
            _GRAPH_ONLY.add(concrete)
        if TRACING.symbolic or TRACING.graph_only:
            _SYMBOLIC.add(concrete)
        TRACING.symbolic = concrete in _SYMBOLIC
        TRACING.graph_only = concrete in _GRAPH_ONLY
    finally:
        made.extend({id(var): var for var in TRACING.created}.values())
        gradients_util._GradientsHelper = helper
        TRACING.depth -= 1
        TRACING.created = []


@contextlib.contextmanager
def _initializers(fn: Any, into: list[Any]) -> Iterator[None]:
    """Collect into ``into`` the ``(variable, initial value)`` pairs of the variables the first
    trace of ``fn`` makes (TensorFlow's ``Function._initialize`` gathers them)."""
    original = getattr(fn, "_initialize", None)
    if original is None or "_initialize" in vars(fn):
        yield
        return

    def _initialize(args: Any, kwds: Any, add_initializers_to: Any = None) -> Any:
        try:
            return original(args, kwds, add_initializers_to=add_initializers_to)
        finally:
            if add_initializers_to is not None:
                into.extend(add_initializers_to)

    fn._initialize = _initialize
    try:
        yield
    finally:
        del fn._initialize


def initialize_unfinished(fn: Any, initializers: list[Any]) -> None:
    """Initialise the variables a trace of ``fn`` that raised made, as TensorFlow does once a
    trace is done, so that its body can run eagerly (a Keras model built by a train step whose
    trace failed, at ``apply_gradients``, has its weights uninitialised until then)."""
    if initializers:
        fn._initialize_uninitialized_variables(initializers)


_GRAPH_ONLY: weakref.WeakSet[Any] = weakref.WeakSet()
"""The concrete functions whose own code read a graph tensor's ``op``, ``graph``, ``name``..."""

GRAPH_ATTRIBUTES = ("op", "graph", "name", "value_index", "consumers")
"""What a graph tensor has and an eager one raises ``AttributeError`` for."""

_LIBRARIES = frozenset({"tensorflow", "keras", "tf_keras", "tapetui"})
"""Packages that run eagerly too: they read these attributes only where a graph is built."""


@contextlib.contextmanager
def _noting_graph_attributes() -> Iterator[None]:
    """While the outermost trace runs: a graph tensor's ``GRAPH_ATTRIBUTES`` read by code
    outside ``_LIBRARIES`` (the function's own, as AutoGraph converted it) mark the trace
    ``graph_only``: its eager run would raise "Tensor.op is undefined when eager execution is
    enabled", so the call runs compiled, as ``tf.gradients`` makes it."""
    if TRACING.depth > 1 or "op" in ops.SymbolicTensor.__dict__:
        yield
        return
    for name in GRAPH_ATTRIBUTES:
        setattr(ops.SymbolicTensor, name, _noted(name))
    try:
        yield
    finally:
        for name in GRAPH_ATTRIBUTES:
            delattr(ops.SymbolicTensor, name)


def _noted(name: str) -> property:
    original = next(k.__dict__[name] for k in ops.SymbolicTensor.__mro__ if name in k.__dict__)

    def get(self: Any) -> Any:
        module = str(sys._getframe(1).f_globals.get("__name__", ""))
        if module.partition(".")[0] not in _LIBRARIES:
            TRACING.graph_only = True
        return original.__get__(self, type(self))

    return property(get)


DetectorManager = polymorphic_function._FrequentTracingDetectorManager


class _InBody(threading.local):
    depth = 0
    """How many function bodies this thread runs as a compiled call's graph would (eagerly, or
    compiled for ``tf.gradients``): calls made there count towards no retracing warning."""


IN_BODY = _InBody()


@contextlib.contextmanager
def function_body() -> Iterator[None]:
    """The block runs a function's body: calls there are not calls from eager code."""
    IN_BODY.depth += 1
    try:
        yield
    finally:
        IN_BODY.depth -= 1


def unless_in_body(original: Any) -> Any:
    @functools.wraps(original)
    def counting(self: Any, *args: Any) -> None:
        if not IN_BODY.depth:
            original(self, *args)

    return counting


def count_eager_call(fn: Any, traced: bool) -> None:
    """Tell TensorFlow's retracing detector about a call made from eager code, as a compiled
    call does (``get_concrete_function`` does not): five traces in ten calls warn "triggered
    tf.function retracing"."""
    manager = polymorphic_function._frequent_tracing_detector_manager
    if traced:
        manager.called_with_tracing(
            fn._key_for_call_stats, fn._python_function, fn._omit_frequent_tracing_warning
        )
    else:
        manager.called_without_tracing(fn._key_for_call_stats)


def compiled_custom_gradient_arguments(original: Any) -> Any:
    """``custom_gradient._eager_mode_decorator``: in a function body run eagerly, the arguments
    are made tensors before the decorated function runs, as the graph-mode decorator of a
    compiled call makes them. A variable passed in (a Keras variable, which wraps a
    ``tf.Variable``) is then read before the function runs, as compiled, and its gradient is an
    input's: eagerly, the function's read of it would make it a variable the function used, and
    ``grad_fn`` would be called with ``variables=`` and asked for two groups of gradients."""

    @functools.wraps(original)
    def decorator(f: Any, args: Any, kwargs: Any) -> Any:
        if IN_BODY.depth:
            args = variable_utils.convert_variables_to_tensors(args)
            args = nest.map_structure(ops.convert_to_tensor, args, expand_composites=True)
        return original(f, args, kwargs)

    return decorator


_PUBLIC_GRADIENTS = os.path.join("ops", "gradients_impl.py")
"""The module of ``tf.gradients``: its calls of ``_GradientsHelper`` are the scenario's."""


def noting_symbolic(helper: Any) -> Any:
    """``_GradientsHelper`` noting a call from ``tf.gradients`` (``gradients_impl``: also
    ``tf.hessians`` and TF1's ``gradients``). TensorFlow's own gradient functions call it too
    while the trace builds a backward pass (a ``tf.while_loop``'s, as a Keras LSTM's, a
    ``tf.cond``'s, a nested function's): those run eagerly as well, and are not noted."""

    @functools.wraps(helper)
    def noting(*args: Any, **kwargs: Any) -> Any:
        if sys._getframe(1).f_code.co_filename.endswith(_PUBLIC_GRADIENTS):
            TRACING.symbolic = True
        return helper(*args, **kwargs)

    return noting


def traced_user_frames(exc: BaseException) -> list[tuple[str, int]]:
    """``(file, line)`` of the user code AutoGraph names in a trace-time error ("in user code:
    File "train.py", line 10"), outermost first; ``[]`` for other errors."""
    metadata = getattr(exc, "ag_error_metadata", None)
    if not isinstance(metadata, autograph_api._ErrorMetadata):
        return []
    frames = getattr(metadata, "translated_stack", None) or []
    return [(str(f.filename), int(f.lineno)) for f in frames if hasattr(f, "lineno")]


def compiled_while(original: Any) -> Any:
    """``original`` (a constructor) run with ``tf.function``s compiled (``functions_compiled``)."""

    @functools.wraps(original)
    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        with functions_compiled():
            original(self, *args, **kwargs)

    return __init__


def made_in_trace(original: Any) -> Any:
    """``UnliftedInitializerVariable.__init__``: a variable a trace made is kept (``TRACING``)."""

    @functools.wraps(original)
    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        TRACING.keeps(self)

    return __init__


class _AtExecution(threading.local):
    depth = 0
    """How deep this thread is in a ``tf.py_function``'s (or ``numpy_function``'s) Python
    function, which TensorFlow calls as the op runs: on every call of a compiled function too."""


AT_EXECUTION = _AtExecution()


def at_execution(original: Any) -> Any:
    """``script_ops.FuncRegistry.__call__``, through which TensorFlow's kernel runs a
    py_function's Python function: its output is the op's, never dropped (``functions._BodyOutput``)."""

    def __call__(self: Any, *args: Any, **kwargs: Any) -> Any:
        AT_EXECUTION.depth += 1
        try:
            return original(self, *args, **kwargs)
        finally:
            AT_EXECUTION.depth -= 1

    return __call__
