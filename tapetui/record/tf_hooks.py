"""Every hook into TensorFlow, and every use of its private APIs, in one module.

Pinned to TensorFlow 2.21 (see ``PRIVATE_APIS``; ``tests/record/test_tf_hooks.py`` checks them).
The hooks only observe: each wrapper calls the original and returns or raises exactly what it did.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import sys
import threading
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import tensorflow as tf
from tensorflow.python import pywrap_tfe
from tensorflow.python.autograph.impl import api as autograph_api
from tensorflow.python.eager import backprop, backprop_util, context, record
from tensorflow.python.eager import tape as tape_lib
from tensorflow.python.eager.polymorphic_function import eager_function_run, polymorphic_function
from tensorflow.python.framework import op_callbacks, ops
from tensorflow.python.ops import gen_resource_variable_ops, resource_variable_ops
from tensorflow.python.util import traceback_utils

if TYPE_CHECKING:
    from tapetui.record.recorder import Recorder

SUPPORTED_TF = ((2, 21), (2, 22))
"""TensorFlow versions (from, to exclusive) whose private APIs the hooks were written for."""

EagerTensor = ops.EagerTensor
TFVariable = resource_variable_ops.BaseResourceVariable
GradientTape = backprop.GradientTape
TFFunction = polymorphic_function.Function

PRIVATE_APIS: dict[str, Callable[[], object]] = {
    "op_callbacks.add_op_callback": lambda: op_callbacks.add_op_callback,
    "op_callbacks.remove_op_callback": lambda: op_callbacks.remove_op_callback,
    "record.should_record_backprop": lambda: record.should_record_backprop,
    "backprop._gradient_function": lambda: backprop._gradient_function,
    "pywrap_tfe.TFE_Py_RegisterGradientFunction": lambda: (
        pywrap_tfe.TFE_Py_RegisterGradientFunction
    ),
    "pywrap_tfe.TFE_Py_FastPathExecute": lambda: pywrap_tfe.TFE_Py_FastPathExecute,
    "pywrap_tfe.TFE_Py_TapeSetIsStopped": lambda: pywrap_tfe.TFE_Py_TapeSetIsStopped,
    "record.record_operation": lambda: record.record_operation,
    "tape.variable_accessed": lambda: tape_lib.variable_accessed,
    "tape.variables_accessed": lambda: tape_lib.variables_accessed,
    "GradientTape._push_tape": lambda: GradientTape._push_tape,
    "GradientTape._pop_tape": lambda: GradientTape._pop_tape,
    "GradientTape._recording": lambda: GradientTape()._recording,
    "EagerTensor._id": lambda: tf.constant(1.0)._id,
    "EagerTensor._datatype_enum": lambda: tf.constant(1.0)._datatype_enum(),
    "EagerTensor._numpy": lambda: ops._EagerTensorBase._numpy,
    "backprop_util.IsTrainable": lambda: backprop_util.IsTrainable,
    "gen_resource_variable_ops.read_variable_op": lambda: (
        gen_resource_variable_ops.read_variable_op
    ),
    "context.op_callbacks": lambda: context.context().op_callbacks,
    "threading.Thread._bootstrap_inner": lambda: threading.Thread.__dict__["_bootstrap_inner"],
    "polymorphic_function.Function.__call__": lambda: TFFunction.__dict__["__call__"],
    "polymorphic_function.UnliftedInitializerVariable.__init__": lambda: (
        polymorphic_function.UnliftedInitializerVariable.__dict__["__init__"]
    ),
    "polymorphic_function.Function._jit_compile": lambda: tf.function(abs)._jit_compile,
    "polymorphic_function.Function._python_function": lambda: tf.function(abs)._python_function,
    "eager_function_run.RUN_FUNCTIONS_EAGERLY": lambda: eager_function_run.RUN_FUNCTIONS_EAGERLY,
    "traceback_utils.filter_traceback": lambda: traceback_utils.filter_traceback,
    "autograph api._ErrorMetadata": lambda: autograph_api._ErrorMetadata,
}


def missing_private_apis() -> list[str]:
    """Names of the private APIs above that this TensorFlow lacks (empty when supported)."""
    missing = []
    for name, get in PRIVATE_APIS.items():
        try:
            get()
        except (AttributeError, TypeError):
            missing.append(name)
    return missing


def tf_version() -> str:
    return str(tf.__version__)


# --- reading TensorFlow objects --------------------------------------------------------------


def as_tf_variable(obj: Any) -> Any:
    """The ``tf.Variable`` behind ``obj`` (itself, or the one a Keras ``Variable`` wraps)."""
    if isinstance(obj, TFVariable):
        return obj
    inner = getattr(obj, "_value", None) if is_keras_variable(obj) else None
    return inner if isinstance(inner, TFVariable) else None


def is_keras_variable(obj: Any) -> bool:
    cls = type(obj)
    return cls.__module__.startswith("keras") and hasattr(obj, "_value") and hasattr(obj, "assign")


def is_keras_object(obj: Any) -> bool:
    """True for an instance of a Keras class (a layer, a model, an optimizer …), the
    scenario's own subclasses (``class Regressor(keras.Model)``) included."""
    cls = type(obj)
    known = _KERAS_CLASSES.get(cls)
    if known is None:
        known = _KERAS_CLASSES[cls] = any(c.__module__.startswith("keras") for c in cls.__mro__)
    return known


_KERAS_CLASSES: dict[type, bool] = {}


def layer_variables(obj: Any) -> list[tuple[str, Any]]:
    """Each variable of a Keras layer or model (built or not) with its Keras path relative to
    ``obj``: ``[("kernel", var), ("bias", var)]`` for a layer's own, ``("dense_1/kernel", var)``
    for a sublayer's; ``[]`` for anything else."""
    if not is_keras_object(obj) or not hasattr(obj, "trainable_variables"):
        return []
    try:
        weights = list(obj.weights)
    except Exception:  # a half-built layer; nothing to name yet
        return []
    owner = f"/{getattr(obj, 'name', '')}/"
    named = []
    for w in weights:
        path = keras_path(w) or str(getattr(w, "name", ""))
        cut = ("/" + path).rfind(owner)
        named.append((path[cut + len(owner) - 1 :] if cut >= 0 else path, w))
    return named


def keras_path(obj: Any) -> str | None:
    """A Keras ``Variable``'s path (``sequential/dense_1/kernel``), else ``None``."""
    if not is_keras_variable(obj):
        return None
    path = getattr(obj, "path", None)
    return path if isinstance(path, str) and path else None


def ref_of(obj: Any) -> int | None:
    """The trace id of a tensor or variable (a variable's id is its handle's), else ``None``."""
    ref: int
    if isinstance(obj, EagerTensor):
        ref = obj._id
        return ref
    var = as_tf_variable(obj)
    if var is not None and isinstance(var.handle, EagerTensor):
        ref = var.handle._id
        return ref
    return None


_NO_VALUE = frozenset({tf.resource.as_datatype_enum, tf.variant.as_datatype_enum})


def ids_of(tensors: list[Any]) -> list[int]:
    """``ref_of`` of each of an op's inputs or outputs (``0`` for anything not a tensor)."""
    try:
        return [t._id for t in tensors]  # eager op inputs and outputs are EagerTensors
    except AttributeError:
        return [ref_of(t) or 0 for t in tensors]


def value_of(tensor: Any) -> Any:
    """The NumPy value of an eager tensor without counting as the scenario reading it."""
    if tensor._datatype_enum() in _NO_VALUE:
        return None
    return tensor._numpy()


def read_variable(var: Any) -> Any:
    """A variable's current value as NumPy (the caller mutes the recorder around this)."""
    return gen_resource_variable_ops.read_variable_op(var.handle, var.dtype)._numpy()


@functools.lru_cache(maxsize=256)
def is_differentiable_dtype(dtype: Any) -> bool:
    """What TensorFlow's tape accepts: floating, complex, resource and variant dtypes."""
    return bool(backprop_util.IsTrainable(dtype))


@functools.lru_cache(maxsize=256)
def _differentiable_enum(enum: int) -> bool:
    return is_differentiable_dtype(tf.dtypes.as_dtype(enum))


def is_differentiable(tensor: Any) -> bool:
    """``is_differentiable_dtype`` of an eager tensor's dtype, cached by its dtype number."""
    return _differentiable_enum(tensor._datatype_enum())


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


def function_name(fn: Any) -> str:
    return str(getattr(fn, "__name__", None) or getattr(fn, "_name", "function"))


class _Tracing:
    depth = 0
    """How many functions are being traced before their eager call right now."""

    def __init__(self) -> None:
        self.created: list[Any] = []
        """The variables that trace made (a Keras layer built, ``if self.v is None``)."""


TRACING = _Tracing()


def trace_function(fn: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> list[Any]:
    """Trace ``fn`` for these arguments as a compiled call would (once per input signature,
    from TensorFlow's own cache); raises what tracing raises. Returns the variables the trace
    made, initialised by TensorFlow once the trace is done."""
    TRACING.depth += 1
    TRACING.created = []
    try:
        with functions_compiled():
            fn.get_concrete_function(*args, **kwargs)
        return list({id(var): var for var in TRACING.created}.values())
    finally:
        TRACING.depth -= 1
        TRACING.created = []


def traced_user_frames(exc: BaseException) -> list[tuple[str, int]]:
    """``(file, line)`` of the user code AutoGraph names in a trace-time error ("in user code:
    File "train.py", line 10"), outermost first; ``[]`` for other errors."""
    metadata = getattr(exc, "ag_error_metadata", None)
    if not isinstance(metadata, autograph_api._ErrorMetadata):
        return []
    frames = getattr(metadata, "translated_stack", None) or []
    return [(str(f.filename), int(f.lineno)) for f in frames if hasattr(f, "lineno")]


def patch_function_calls(
    hooks: Hooks, eager_call: Callable[..., Any], on_xla_call: Callable[[str], None]
) -> None:
    """``Function.__call__`` while functions run eagerly: ``eager_call(fn, args, kwargs, run)``,
    which traces first (so a trace-time error is raised as a compiled call raises it) and then
    calls ``run()``, the body run eagerly. XLA-compiled functions (``jit_compile=True``) always
    run compiled: eager ops are not what XLA runs (it fuses them, and its numerics and errors are
    its own); each such call is reported to ``on_xla_call(name)``."""

    def make(original: Any) -> Any:
        @traceback_utils.filter_traceback  # type: ignore[untyped-decorator]  # TF's is untyped
        def __call__(self: Any, *args: Any, **kwargs: Any) -> Any:
            if not eager_function_run.RUN_FUNCTIONS_EAGERLY:
                return original(self, *args, **kwargs)
            if self._jit_compile:
                on_xla_call(function_name(self))
                with functions_compiled():
                    return original(self, *args, **kwargs)
            return eager_call(self, args, kwargs, lambda: original(self, *args, **kwargs))

        return __call__

    hooks._patch(TFFunction, "__call__", make)
    # A variable a trace makes is a function's own kind, which does not run ResourceVariable's
    # __init__ (unless init_scope lifted it out of the trace).
    hooks._patch(polymorphic_function.UnliftedInitializerVariable, "__init__", _made_in_trace)


def _made_in_trace(original: Any) -> Any:
    @functools.wraps(original)
    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        if TRACING.depth:
            TRACING.created.append(self)

    return __init__


def recording_stopped() -> bool:
    return bool(pywrap_tfe.TFE_Py_TapeSetIsStopped())


def tf_would_record(inputs: Any) -> bool:
    """TensorFlow's own answer to "does any active tape record an op with these inputs"."""
    return bool(record.should_record_backprop(inputs))


def eager() -> bool:
    return bool(context.executing_eagerly())


def readable_attrs(attrs: Any) -> dict[str, str]:
    """The op attributes a reader cares about, as text (``T: float32``); a fresh dict."""
    try:
        return dict(_readable_attrs_cached(tuple(attrs)))
    except TypeError:  # an unhashable attribute value (a list): work it out each time
        return _readable_attrs(attrs)


@functools.lru_cache(maxsize=4096)
def _readable_attrs_cached(attrs: tuple[Any, ...]) -> dict[str, str]:
    return _readable_attrs(attrs)


def _readable_attrs(attrs: Any) -> dict[str, str]:
    wanted = ("T", "DstT", "SrcT", "dtype", "transpose_a", "transpose_b", "axis", "keep_dims")
    pairs = dict(zip(attrs[::2], attrs[1::2], strict=False))
    readable = {}
    for key in wanted:
        if key in pairs:
            value = pairs[key]
            if key in ("T", "DstT", "SrcT", "dtype") and isinstance(value, (int, tf.DType)):
                value = tf.dtypes.as_dtype(value).name
            readable[key] = str(value)
    return readable


def tape_flags(gt: Any) -> tuple[bool, bool]:
    """``(persistent, watch_accessed_variables)`` of a tape."""
    return bool(gt._persistent), bool(gt._watch_accessed_variables)


def tape_is_recording(gt: Any) -> bool:
    return bool(gt._recording)


def watched_variable_refs(gt: Any) -> list[int]:
    return [r for r in (ref_of(v) for v in gt.watched_variables()) if r is not None]


# --- installing the hooks --------------------------------------------------------------------


_ABSENT = object()


class Hooks:
    """Patches TensorFlow to report to a Recorder; ``remove()`` restores everything."""

    def __init__(self, rec: Recorder) -> None:
        self.rec = rec
        self._saved: list[tuple[Any, str, Any]] = []
        self._op_callback = functools.partial(_op_callback, rec)
        op_callbacks.add_op_callback(self._op_callback)
        pywrap_tfe.TFE_Py_RegisterGradientFunction(functools.partial(_gradient_function, rec))
        self._observing_ops = True
        self._patch(pywrap_tfe, "TFE_Py_FastPathExecute", _fast_path)
        self._patch(
            tape_lib, "variable_accessed", _after(rec, lambda v: rec.on_variables_accessed([v]))
        )
        self._patch(tape_lib, "variables_accessed", _variables_accessed(rec))
        self._patch(threading.Thread, "_bootstrap_inner", _observing_thread(self))
        self._patch(record, "record_operation", _custom_gradients(rec))
        _patch_tape(self, rec)
        _patch_variables(self, rec)
        _patch_boundaries(self, rec)
        _patch_keras_optimizer(self, rec)

    def _patch(self, owner: Any, name: str, make: Callable[[Any], Any]) -> None:
        original = owner.__dict__[name] if isinstance(owner, type) else getattr(owner, name)
        self._saved.append((owner, name, original))
        setattr(owner, name, make(original))

    def _add(self, owner: type, name: str, value: Any) -> None:
        self._saved.append((owner, name, _ABSENT))
        setattr(owner, name, value)

    def stop_observing_ops(self) -> None:
        """Let every op, forward and backward, run as if tapetui were not there (the detail
        budget is spent). Tapes, gradient calls, variables and output are still reported, the
        tapes and calls through the lean wrappers of ``tapetui.record.steps``; what only detail
        needs (each tape's creation and push, assignments, values leaving TensorFlow) is
        unhooked."""
        if not self._observing_ops:
            return
        self._observing_ops = False
        # May run inside the op callback, while TensorFlow iterates this list: ours is removed
        # and the loop ends (a callback the scenario added after ours misses that one op).
        # Op callbacks are per thread: other threads' copies see the summary and do nothing.
        with contextlib.suppress(KeyError):
            op_callbacks.remove_op_callback(self._op_callback)
        pywrap_tfe.TFE_Py_RegisterGradientFunction(backprop._gradient_function)
        from tapetui.record import steps  # it imports this module

        lean = {
            "__enter__": lambda original: steps.lean_enter(self.rec, original),
            "__exit__": lambda original: steps.lean_exit(self.rec, original),
            **{
                m: steps.lean_gradient(self.rec, m)
                for m in ("gradient", "jacobian", "batch_jacobian")
            },
        }
        kept = []
        for owner, name, original in self._saved:
            if owner is GradientTape and name in lean:
                setattr(owner, name, lean[name](original))
            elif (owner, name) in _SUMMARISED_KEEPS:
                pass
            else:
                _restore(owner, name, original)
                continue
            kept.append((owner, name, original))
        self._saved = kept

    def observe_this_thread(self) -> bool:
        """Observe this thread's ops (TensorFlow keeps op callbacks per thread); False when it
        was not observed until now."""
        if not self._observing_ops or self._op_callback in context.context().op_callbacks:
            return True
        op_callbacks.add_op_callback(self._op_callback)
        return False

    def remove(self) -> None:
        self.stop_observing_ops()
        for owner, name, original in reversed(self._saved):
            _restore(owner, name, original)
        self._saved.clear()


_SUMMARISED_KEEPS = {
    (resource_variable_ops.ResourceVariable, "__init__"),
    (GradientTape, "watch"),
    (GradientTape, "reset"),
    (GradientTape, "stop_recording"),
    (TFFunction, "__call__"),  # a summarised step still traces first, as compiled code would
    (polymorphic_function.UnliftedInitializerVariable, "__init__"),
}
"""Hooks that stay as they are when summarising starts: rare calls, recorded in full."""


def _restore(owner: Any, name: str, original: Any) -> None:
    if original is _ABSENT:
        delattr(owner, name)
    else:
        setattr(owner, name, original)


def _op_callback(
    rec: Recorder,
    op_type: str,
    inputs: Any,
    attrs: Any,
    outputs: Any,
    op_name: Any = None,
    graph: Any = None,
) -> None:
    if graph is None and op_name is None and not rec.muted and rec.summarised is None:
        with rec.guard():
            rec.on_op(op_type, list(inputs or ()), attrs or (), list(outputs or ()))


def _observing_thread(hooks: Hooks) -> Callable[[Any], Any]:
    """``Thread._bootstrap_inner``, which every ``threading.Thread`` runs first in its new thread
    (also when a subclass overrides ``run``), observing the thread's ops from its start."""

    def make(original: Any) -> Any:
        def _bootstrap_inner(self: Any) -> Any:
            with contextlib.suppress(Exception):  # never stop the scenario's thread
                hooks.observe_this_thread()
            return original(self)

        return _bootstrap_inner

    return make


def _gradient_function(rec: Recorder, *args: Any) -> Any:
    op_name, _attrs, _num_inputs, inputs, outputs, out_grads, skip, _scope = args
    produced = backprop._gradient_function(*args)
    if not rec.muted and not rec.summarising and eager():
        flat = list(produced) if isinstance(produced, (list, tuple)) else [produced]
        with rec.guard():
            rec.on_backward_step(op_name, inputs, outputs, out_grads, skip, flat)
    return produced


def _custom_gradients(rec: Recorder) -> Callable[[Any], Any]:
    """``record.record_operation`` reporting the backward steps of ``tf.custom_gradient``
    functions: TensorFlow calls their gradient functions directly, not through the gradient
    function the hooks registered. Only ids are kept: the tape keeps what TensorFlow keeps."""

    def make(original: Any) -> Any:
        signature = inspect.signature(original)

        def record_operation(*args: Any, **kwargs: Any) -> Any:
            if not sys._getframe(1).f_code.co_filename.endswith("custom_gradient.py"):
                return original(*args, **kwargs)
            bound = signature.bind(*args, **kwargs)
            given = bound.arguments
            given["backward_function"] = _observed_backward(
                rec,
                given["op_type"],
                ids_of(given["input_tensors"]),
                ids_of(given["output_tensors"]),
                given["backward_function"],
            )
            return original(*bound.args, **bound.kwargs)

        return record_operation

    return make


def _observed_backward(
    rec: Recorder, op_type: str, in_ids: list[int], out_ids: list[int], backward: Any
) -> Callable[..., Any]:
    def backward_function(*grads: Any) -> Any:
        produced = backward(*grads)
        if not rec.muted and not rec.summarising and eager():
            with rec.guard():
                rec.gradients.step(
                    op_type, in_ids, out_ids, list(grads), (), list(produced), custom=True
                )
        return produced

    return backward_function


def _fast_path(original: Any) -> Any:
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


def _variables_accessed(rec: Recorder) -> Callable[[Any], Any]:
    def make(original: Any) -> Any:
        def variables_accessed(variables: Any) -> Any:
            variables = list(variables)
            result = original(variables)
            if not rec.muted:
                with rec.guard():
                    rec.on_variables_accessed([v for v in variables if v.trainable])
            return result

        return variables_accessed

    return make


def _after(rec: Recorder, hook: Callable[..., None]) -> Callable[[Any], Any]:
    """Wrap a method: call the original, then ``hook(self, *args)``; return the original's result."""

    def make(original: Any) -> Any:
        @functools.wraps(original)
        def method(self: Any, *args: Any, **kwargs: Any) -> Any:
            result = original(self, *args, **kwargs)
            if not rec.muted:
                with rec.guard():
                    hook(self, *args, **kwargs)
            return result

        return method

    return make


def _patch_tape(hooks: Hooks, rec: Recorder) -> None:
    def init(original: Any) -> Any:
        def __init__(
            self: Any, persistent: bool = False, watch_accessed_variables: bool = True
        ) -> None:
            original(self, persistent, watch_accessed_variables)
            if rec.muted:  # a tape of a function traced before its eager call
                return
            with rec.guard():
                if not hooks.observe_this_thread():  # a thread not started by ``threading``
                    rec.thread_seen_late()
                rec.on_tape_created(self, bool(persistent), bool(watch_accessed_variables))

        return __init__

    def enter(original: Any) -> Any:
        def __enter__(self: Any) -> Any:
            parent = rec.tapes.innermost_active()
            result = original(self)
            if rec.muted:
                return result
            with rec.guard():
                rec.on_tape_enter(self, parent)
            return result

        return __enter__

    hooks._patch(GradientTape, "__init__", init)
    hooks._patch(GradientTape, "__enter__", enter)
    hooks._patch(GradientTape, "__exit__", _after(rec, rec.on_tape_exit))
    hooks._patch(GradientTape, "_push_tape", _after(rec, rec.tapes.pushed))
    hooks._patch(GradientTape, "_pop_tape", _after(rec, rec.tapes.popped))
    hooks._patch(GradientTape, "reset", _after(rec, rec.on_tape_reset))
    hooks._patch(GradientTape, "watch", _around_watch(rec))
    hooks._patch(GradientTape, "stop_recording", _around_stop(rec))
    for method in ("gradient", "jacobian", "batch_jacobian"):
        hooks._patch(GradientTape, method, _around_gradient(rec, method))


def _around_watch(rec: Recorder) -> Callable[[Any], Any]:
    def make(original: Any) -> Any:
        def watch(self: Any, tensor: Any) -> Any:
            if rec.muted:
                return original(self, tensor)
            try:
                result = original(self, tensor)
            except BaseException as exc:
                with rec.guard():
                    rec.on_watch(self, tensor, exc)
                raise
            with rec.guard():
                rec.on_watch(self, tensor, None)
            return result

        return watch

    return make


def _around_stop(rec: Recorder) -> Callable[[Any], Any]:
    def make(original: Any) -> Any:
        @contextlib.contextmanager
        def stop_recording(self: Any) -> Iterator[None]:
            if rec.muted:
                with original(self):
                    yield
                return
            with original(self):
                with rec.guard():
                    rec.on_stop_recording(self, stopped=True)
                try:
                    yield
                finally:
                    with rec.guard():
                        rec.on_stop_recording(self, stopped=False)

        return stop_recording

    return make


def observe_calls(
    rec: Recorder,
    original: Callable[..., Any],
    begin: Callable[[Any, dict[str, Any], bool], Any],
    end: Callable[[Any, Any, BaseException | None], None],
) -> Callable[..., Any]:
    """``original`` (a tape's ``gradient``, ``jacobian`` …) reporting each eager call the scenario
    makes: ``begin(tape, arguments, inside_context)`` before it, ``end(begun, result, error)``
    after. Calls TensorFlow makes inside one (``jacobian`` calls ``gradient``) are not reported."""
    parameters = list(inspect.signature(original).parameters.values())[1:]
    names = [p.name for p in parameters]
    defaults = {p.name: p.default for p in parameters if p.default is not p.empty}

    @functools.wraps(original)
    def call(self: Any, *args: Any, **kwargs: Any) -> Any:
        book = rec.gradients
        if rec.muted or book.depth or not eager():
            return original(self, *args, **kwargs)
        arguments = {**defaults, **dict(zip(names, args, strict=False)), **kwargs}
        begun = None
        with rec.guard():
            begun = begin(self, arguments, tape_is_recording(self))
        book.depth += 1
        try:
            result = original(self, *args, **kwargs)
        except BaseException as exc:
            book.depth -= 1
            with rec.guard():
                end(begun, None, exc)
            raise
        book.depth -= 1
        with rec.guard():
            end(begun, result, None)
            rec.on_gradient_returned(arguments, result)
        return result

    return call


def _around_gradient(rec: Recorder, method: str) -> Callable[[Any], Any]:
    def make(original: Any) -> Any:
        def begin(gt: Any, arguments: dict[str, Any], inside: bool) -> Any:
            return rec.gradients.begin(gt, method, arguments, inside)

        return observe_calls(rec, original, begin, rec.gradients.end)

    return make


def _patch_variables(hooks: Hooks, rec: Recorder) -> None:
    hooks._patch(resource_variable_ops.ResourceVariable, "__init__", _on_variable_created(rec))
    # ResourceVariable holds copies of some BaseResourceVariable methods: patch both classes.
    classes = (TFVariable, resource_variable_ops.ResourceVariable)
    for cls in classes:
        for method in ("assign", "assign_add", "assign_sub"):
            if method in cls.__dict__:
                hooks._patch(cls, method, _around_assign(rec, method))
        if "numpy" in cls.__dict__:
            hooks._patch(cls, "numpy", _boundary(rec, "numpy"))


def _on_variable_created(rec: Recorder) -> Callable[[Any], Any]:
    """Reports each new variable. One made while a function is traced before its eager call (a
    Keras layer built in the trace, whose variables the eager call then uses) is kept for
    ``trace_function`` to return: it is initialised only when the trace is done."""

    def make(original: Any) -> Any:
        @functools.wraps(original)
        def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
            original(self, *args, **kwargs)
            if TRACING.depth:
                TRACING.created.append(self)
            elif not rec.muted:
                with rec.guard():
                    rec.on_variable_created(self)

        return __init__

    return make


def _around_assign(rec: Recorder, method: str) -> Callable[[Any], Any]:
    def make(original: Any) -> Any:
        @functools.wraps(original)
        def assign(self: Any, value: Any, *args: Any, **kwargs: Any) -> Any:
            outer = rec.assigning
            rec.assigning = True
            try:
                result = original(self, value, *args, **kwargs)
            finally:
                rec.assigning = outer
            if not outer and not rec.summarising and eager():
                with rec.guard():
                    rec.on_assign(self, method, value)
            return result

        return assign

    return make


def _boundary(rec: Recorder, how: str) -> Callable[[Any], Any]:
    def make(original: Any) -> Any:
        @functools.wraps(original)
        def leave(self: Any, *args: Any, **kwargs: Any) -> Any:
            result = original(self, *args, **kwargs)
            if not rec.muted:
                caller = sys._getframe(1)
                with rec.guard():
                    rec.on_boundary(self, how, caller)
            return result

        return leave

    return make


def _patch_boundaries(hooks: Hooks, rec: Recorder) -> None:
    ways = {
        "numpy": "numpy",
        "__float__": "float",
        "__int__": "int",
        "__bool__": "bool",
        "__index__": "int",
        "__array__": "array",
        "__format__": "format",
    }
    for attr, how in ways.items():
        hooks._patch(ops._EagerTensorBase, attr, _boundary(rec, how))
    hooks._add(ops._EagerTensorBase, "__array_function__", _array_function(rec))


def _array_function(rec: Recorder) -> Callable[..., Any]:
    """NumPy functions (``np.mean(t)``) read tensors through the buffer protocol, which Python
    cannot observe; ``__array_function__`` lets NumPy announce the call first. It then runs
    NumPy's own implementation, so results are unchanged."""

    def __array_function__(self: Any, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        if not rec.muted:
            caller = sys._getframe(1)
            with rec.guard():
                for arg in (*args, *kwargs.values()):
                    for leaf in arg if isinstance(arg, (list, tuple)) else (arg,):
                        if isinstance(leaf, EagerTensor):
                            rec.on_boundary(leaf, "array", caller)
        return func._implementation(*args, **kwargs)

    return __array_function__


# --- Keras ------------------------------------------------------------------------------------


def _keras_base_optimizer() -> Any:
    """Keras 3's ``BaseOptimizer`` (imported with TensorFlow already), or ``None`` without it."""
    try:
        from keras.src.optimizers import base_optimizer
    except ImportError:
        return None
    cls = getattr(base_optimizer, "BaseOptimizer", None)
    return cls if isinstance(cls, type) and "_filter_empty_gradients" in cls.__dict__ else None


def _patch_keras_optimizer(hooks: Hooks, rec: Recorder) -> None:
    """Every Keras optimizer drops ``None`` gradients in ``_filter_empty_gradients(grads,
    vars)``: it raises ``ValueError("No gradients provided for any variable.")`` when all are
    ``None``, else calls ``warnings.warn("Gradients do not exist for variables …")`` (which
    Python prints, or not, as its warning filters say: tapetui leaves that alone)."""
    cls = _keras_base_optimizer()
    if cls is not None:
        hooks._patch(cls, "_filter_empty_gradients", _around_filter(rec))
        _SUMMARISED_KEEPS.add((cls, "_filter_empty_gradients"))  # once a step: kept in full


def _around_filter(rec: Recorder) -> Callable[[Any], Any]:
    def make(original: Any) -> Any:
        @functools.wraps(original)
        def _filter_empty_gradients(self: Any, grads: Any, vars: Any) -> Any:
            grads, vars = list(grads), list(vars)  # what the original makes of them first
            try:
                result = original(self, grads, vars)
            except ValueError as exc:
                if not rec.muted and eager():
                    with rec.guard():
                        rec.optimizers.met(grads, vars, exc)
                raise
            if not rec.muted and eager() and any(g is None for g in grads):
                with rec.guard():
                    rec.optimizers.met(grads, vars, None)
            return result

        return _filter_empty_gradients

    return make
